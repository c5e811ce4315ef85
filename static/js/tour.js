/* The tour page (/tour/<id>, /tour/plan?…): follow the route on the phone, the next stop,
   check-ins, progress. Stops come from the page (server-rendered list); the route line from
   the page's data-route-url (/api/tours/<id> or /api/plan?…).
   The maths, the wording, the storage, the API and what a GPS fix is good for are modules of
   their own; voice and the run's record are loaded only when first used (import() below).
   This module wires them to the DOM, the map and the position, and holds the page's state in
   `state`. */
import { fetchRoute } from "./api.js";
import { compassName, compassPoint, formatClock, formatDistance } from "./format.js";
import { bearingDeg, distanceM, measureLine, placesAlong } from "./geometry.js";
import {
  clearProgress, elapsedMs, loadProgress, loadUnits, loadVoice, progressKey, saveProgress, saveUnits,
  saveVoice, watchProgress,
} from "./progress-store.js";

const $ = (id) => document.getElementById(id);
const panel = $("tour");
const { dataset } = panel;
/* The page draws its map on DOMContentLoaded (Leaflet is deferred); modules run just before
   that, so wait for it: the page's listener was added first, so the map exists by then.
   (Until then window[<map id>] is the map's <div>: browsers expose elements by id.) */
const mapNow = () => (window[dataset.map] instanceof L.Map ? window[dataset.map] : null);
const map = mapNow() || await new Promise((resolve) => {
  document.addEventListener("DOMContentLoaded", () => resolve(mapNow()), { once: true });
});
const storeKey = progressKey(dataset.progressKey);

const stops = [...document.querySelectorAll(".tour-stop")].map((li, index) => ({
  id: li.dataset.stopId,
  number: index + 1,
  name: li.dataset.name, /* the scene's title, for the card and the list */
  shortName: li.dataset.name, /* what a runner calls the place, for sentences: from the route's GeoJSON */
  at: [Number(li.dataset.lat), Number(li.dataset.lon)],
  montageOrder: li.dataset.montageOrder,
  scene: "", /* from the route's GeoJSON */
  exercise: li.dataset.exercise,
  url: li.dataset.url,
  checkbox: li.querySelector("input"),
  along: null, /* metres along the route, once the route is known */
}));

/* Where the route ends when that is not its last stop: a loop back to its first stop (or to
   the runner's own start point), or a plan's own finish point. */
const finish = dataset.finishLat ? {
  id: "finish", name: dataset.finishName, at: [Number(dataset.finishLat), Number(dataset.finishLon)], stop: null,
} : dataset.loop === "true" ? {
  id: "finish", name: `Back to the start: ${stops[0].name}`, at: stops[0].at, stop: stops[0],
} : null;
if (finish) finish.along = null; /* the route's length, once the route is known */

/* Everything on this page that changes. */
const state = {
  progress: loadProgress(storeKey),
  units: loadUnits(),
  voiceOn: loadVoice(),
  route: null, /* {points: [[lat, lon]...], along: [m...], lengthM} */
  cueLegs: [],
  renderedCueUnits: null,
  here: null, /* the last good fix: {at: [lat, lon], accuracy: m, time: ms} (follow.js) */
  lastFixAt: null, /* when the last fix of any quality came */
  coarse: null, /* the last fix, when too vague to use */
  lost: false, /* no fix for a while: the figures are from the last one */
  alongM: null, /* how far along the route the runner is, from the fixes */
  follow: null, /* import("./follow.js"), once the position is wanted */
  voice: null, /* import("./voice.js"), once voice is on */
  turns: null, /* the voice's TurnCaller */
  pendingCentre: false,
  watchId: null,
  wakeLock: null,
  ticker: null,
  openTarget: null, /* the stop (or the finish) whose card is open */
  messageKind: null,
  notices: new Map(), /* the map's notices (no street data, no tiles, off route), each kept until its cause goes away */
  framed: { centre: map.getCenter(), zoom: map.getZoom(), size: map.getSize(), below: 0 }, /* the view framing the route (the server's first); below: the notice's bottom */
  layers: { markers: new Map(), dot: null, circle: null },
};

const distance = (m) => formatDistance(m, state.units);

function useRoute(route) {
  state.route = measureLine(route.points, route.lengthM);
  if (finish) finish.along = state.route.lengthM;
  placesAlong(state.route, route.legs, stops).forEach((along, i) => { stops[i].along = along; });
  const places = new Map(route.geojson.features.map((f) => [f.properties.id, f.properties]));
  for (const stop of stops) {
    stop.scene = places.get(stop.id)?.scene || "";
    stop.shortName = places.get(stop.id)?.short_name || stop.name;
  }
  if (!route.streetFollowing) notice("Straight lines between stops: street data is not loaded, so follow the streets yourself.", "straight");
  state.cueLegs = route.legs;
  state.renderedCueUnits = null; /* render() draws them */
  state.turns = null; /* the voice's turns are measured on this route */
  L.polyline(route.points, { color: "#b3261e", weight: 6, opacity: 0.9, dashArray: route.streetFollowing ? null : "8 8", interactive: false })
    .addTo(map).bringToBack();
  /* No second fitBounds here: the line runs through the stops, which already framed the map
     (only a notice over the map frames it again: notice()). */
  whenFollowing("followRoute");
}

/* ---- progress ---- */
const save = () => saveProgress(storeKey, state.progress);
const isChecked = (stop) => state.progress.checked.includes(stop.id);
const started = () => Boolean(state.progress.startedAt);

function nextStop() {
  const lastIndex = stops.reduce((last, stop, i) => (isChecked(stop) ? i : last), -1);
  const next = stops.slice(lastIndex + 1).find((s) => !isChecked(s)) || stops.find((s) => !isChecked(s));
  if (next) return next;
  return finish && !state.progress.finished ? finish : null;
}

const complete = () => !nextStop();
/* Position checks stops in only once the runner has started, and until the end. */
const following = () => started() && !complete();

/* The stretch of route to the next target, in metres along it: [from, to]. */
function legBounds(next = nextStop()) {
  if (!next || !state.route) return [0, state.route ? state.route.lengthM : 0];
  const previous = next === finish ? stops[stops.length - 1] : stops[stops.indexOf(next) - 1];
  return [previous ? Math.min(previous.along, next.along) : 0, next.along];
}

function arrive(key) {
  state.progress.arrivals = { ...state.progress.arrivals, [key]: { elapsedMs: elapsedMs(state.progress), t: Date.now() } };
}

function reachFinish() {
  state.progress.finished = true;
  arrive("finish");
  save();
  say(finish.stop || dataset.loop === "true" ? "Back at the start: tour complete!" : "At the finish: tour complete!");
  speakLine(`Tour complete, in ${formatClock(elapsedMs(state.progress))}.`);
  finishRun();
}

/* The tour is over: stop the clock (and with it the wake lock) for good. */
function finishRun() {
  if (state.progress.runningSince) pauseClock(); else render();
  notice("", "off-route");
}

const backAtStart = (stop) => finish && finish.stop === stop && nextStop() === finish;
const firstSentence = (text) => ((text || "").match(/^.*?[.!?](?=\s|$)/) || [text || ""])[0];

function setChecked(stop, checked, { announce = true } = {}) {
  if (checked === isChecked(stop)) return;
  const { progress } = state;
  if (checked && !progress.startedAt) startClock({ checkHere: false }); /* a tick by hand starts the run */
  progress.checked = checked ? [...progress.checked, stop.id] : progress.checked.filter((id) => id !== stop.id);
  if (checked) arrive(stop.id);
  else {
    progress.finished = false;
    const { [stop.id]: gone, ...kept } = progress.arrivals;
    progress.arrivals = kept;
  }
  save();
  if (announce) {
    const done = progress.checked.length === stops.length;
    const end = !done ? "" : !finish ? " Tour complete!" : dataset.loop === "true" ? " Last stop: now back to the start." : " Last stop: now on to the finish.";
    say(checked ? `Checked in at stop ${stop.number}, ${stop.shortName}.${end}` : `Stop ${stop.number} unticked.`);
    if (checked) speakLine(`Stop ${stop.number}, ${stop.shortName}. ${firstSentence(stop.scene)}${end}`);
  }
  if (checked && !nextStop()) finishRun(); else render();
}

function startClock({ checkHere = true } = {}) {
  const { progress } = state;
  if (complete() && progress.startedAt) return; /* a finished tour stays finished */
  progress.startedAt = progress.startedAt || new Date().toISOString();
  progress.runningSince = progress.runningSince || Date.now();
  save();
  keepAwake();
  startWatch();
  render();
  /* standing at a stop when starting: the fix already in checks it in; the track begins */
  if (checkHere) whenFollowing("started");
}

function pauseClock() {
  state.progress.elapsedMs = elapsedMs(state.progress);
  state.progress.runningSince = null;
  save();
  releaseWakeLock();
  render();
}

/* ---- the screen stays on while a tour runs (where the browser supports it) ---- */
async function keepAwake() {
  if (!("wakeLock" in navigator) || state.wakeLock || !state.progress.runningSince || document.hidden) return;
  try {
    state.wakeLock = await navigator.wakeLock.request("screen");
    state.wakeLock.addEventListener("release", () => { state.wakeLock = null; });
  } catch (error) { /* refused (battery saver, not visible): the tour still works */ }
}

function releaseWakeLock() {
  if (state.wakeLock) state.wakeLock.release();
  state.wakeLock = null;
}

document.addEventListener("visibilitychange", () => {
  if (document.hidden) releaseWakeLock(); else keepAwake();
});

/* ---- position (follow.js, loaded when the position is first wanted) ---- */
function startWatch({ centre = false } = {}) {
  state.follow = state.follow || import("./follow.js");
  state.follow.then((follow) => follow.follow(page, { centre }));
}

/* Call follow.js's fn(...args) if it is loaded (nothing to do for a position never asked for). */
function whenFollowing(fn, ...args) {
  if (state.follow) state.follow.then((follow) => follow[fn](...args));
}

/* ---- voice (voice.js, loaded once turned on) ---- */
const voice = () => { state.voice = state.voice || import("./voice.js"); return state.voice; };

function speakLine(text) {
  if (state.voiceOn) voice().then((v) => v.speak(text));
}

/* Turns to call now the runner is alongM along the route. */
function callTurns(alongM) {
  if (state.voiceOn) voice().then((v) => v.callTurns(page, alongM));
}

function setVoice(on) {
  state.voiceOn = on;
  saveVoice(on);
  if (on) voice().then((v) => v.turnedOn(page)); else if (state.voice) voice().then((v) => v.hush());
  render();
}

/* ---- output ---- */
/* One line above the panel: a location problem (cleared by the next good fix) or news such
   as a check-in (kept until the next message, so it can be read mid-run). */
function message(text, kind = "location") {
  const box = $("geo-message");
  if (box.textContent !== text) box.textContent = text;
  state.messageKind = text ? kind : null;
}

function say(text) {
  message(text, "news");
}

function notice(text, key = "tiles") {
  if (text) state.notices.set(key, text); else state.notices.delete(key);
  const box = $("tour-notice");
  box.textContent = [...state.notices.values()].join(" ");
  box.hidden = state.notices.size === 0;
  frameBelowNotice();
}

/* The notice lies over the top of the map, and a stop marker under it cannot be tapped: while
   the map still shows the route as framed, frame it again in the part below the notice (and
   back when the notice goes), and when the map's size changes (the panel grows). Once the
   runner has moved the map, or it follows them, leave it. */
function frameBelowNotice() {
  const { framed } = state;
  if (map.getZoom() !== framed.zoom || map.latLngToContainerPoint(framed.centre).distanceTo(map.getSize().divideBy(2)) > 2) return;
  const box = $("tour-notice");
  const below = box.hidden ? 0 : box.getBoundingClientRect().bottom - map.getContainer().getBoundingClientRect().top;
  if (below === framed.below && map.getSize().equals(framed.size)) return;
  const places = state.route ? state.route.points : [...stops.map((stop) => stop.at), ...(finish ? [finish.at] : [])];
  /* the server frames with 40 px on every side (routes/pages.py) */
  map.fitBounds(L.latLngBounds(places), { paddingTopLeft: [40, below + 40], paddingBottomRight: [40, 40], animate: false });
  state.framed = { centre: map.getCenter(), zoom: map.getZoom(), size: map.getSize(), below };
}

/* Directions: the legs' cues from the route, in the chosen units. */
function renderCues() {
  $("cue-list").replaceChildren(...state.cueLegs.flatMap((leg) => leg.cues.map((cue) => {
    const item = document.createElement("li");
    if (cue.turn === "arrive") {
      item.textContent = cue.instruction;
      item.className = "tour-cues__arrive";
    } else {
      item.textContent = `${cue.instruction} — ${distance(cue.distance_m)}`;
    }
    return item;
  })));
}

function stopLabel(stop) {
  return `Stop ${stop.number}: ${stop.name}${isChecked(stop) ? " (visited)" : ""}`;
}

function render() {
  const { progress, route, here, units } = state;
  const next = nextStop();
  const over = !next;
  $("stops-count").textContent = `${progress.checked.length} of ${stops.length}`;
  for (const stop of stops) {
    stop.checkbox.checked = isChecked(stop);
    const icon = state.layers.markers.get(stop.id)?.getElement();
    if (icon) {
      icon.classList.toggle("is-visited", isChecked(stop));
      icon.classList.toggle("stop-marker--current", stop === next || backAtStart(stop));
      icon.title = stopLabel(stop);
      icon.setAttribute("aria-label", stopLabel(stop));
    }
  }
  const lastDone = [...stops].reverse().find(isChecked);
  /* Done: where the runner is on the route between the previous stop and the next one;
     without a position, the last stop ticked. */
  let done = route ? (lastDone ? lastDone.along : 0) : null;
  if (route && next && here && state.alongM !== null) {
    const [from, to] = legBounds(next);
    done = Math.max(from, Math.min(to, state.alongM));
  }
  if (route && over) done = route.lengthM;

  $("next-label").textContent = over ? "" : "Next stop: ";
  $("next-text").textContent = over ? "Tour complete!" : next === finish ? next.name : `${next.number}. ${next.name}`;
  $("next-name").disabled = over;
  const crow = next && here ? distanceM(here.at, next.at) : null;
  /* Off the line (before the start, a detour) the way there is never shorter than straight. */
  const known = route && next && (here || lastDone); /* else: not started, position unknown */
  $("next-route").textContent = known ? distance(Math.max(Math.abs(next.along - done), crow || 0)) : "–";
  $("next-crow").textContent = distance(crow);
  const arrow = $("next-arrow");
  if (next && here) {
    const heading = bearingDeg(here.at, next.at);
    arrow.style.transform = `rotate(${Math.round(heading)}deg)`;
    arrow.classList.remove("is-unknown");
    $("next-direction").innerHTML = `<strong aria-hidden="true">${compassPoint(heading)}</strong><span class="visually-hidden">to the ${compassName(heading)}</span>`;
  } else {
    arrow.style.transform = "";
    arrow.classList.add("is-unknown");
    $("next-direction").textContent = "";
  }
  $("stat-done").textContent = distance(done);
  $("stat-left").textContent = route ? distance(route.lengthM - done) : "–";
  $("stat-time").textContent = formatClock(elapsedMs(progress));
  /* figures from an old or a vague fix: shown, but marked as such (the message says why) */
  panel.classList.toggle("is-stale", Boolean(here && !over && (state.lost || state.coarse)));

  const running = Boolean(progress.runningSince);
  const finished = over && started();
  const runButton = $("btn-run");
  runButton.textContent = finished ? "Finished" : running ? "Pause" : started() ? "Resume" : "Start";
  runButton.disabled = finished;
  const unitsButton = $("btn-units");
  unitsButton.textContent = units;
  unitsButton.setAttribute("aria-label", units === "km" ? "km: switch units to miles" : "mi: switch units to kilometres");
  /* a toggle button: its name stays "Voice", aria-pressed (and its look) says on or off */
  $("btn-voice").setAttribute("aria-pressed", String(state.voiceOn));
  if (running && !state.ticker) {
    state.ticker = setInterval(() => { $("stat-time").textContent = formatClock(elapsedMs(state.progress)); }, 1000);
  }
  if (!running && state.ticker) { clearInterval(state.ticker); state.ticker = null; }
  if (state.openTarget) import("./stop-card.js").then((card) => card.fill(page, state.openTarget));
  if (state.cueLegs.length && units !== state.renderedCueUnits) { state.renderedCueUnits = units; renderCues(); }
  $("finish-summary").hidden = !finished;
  if (finished) import("./finish.js").then((module) => module.showFinish(page));
}

/* ---- the stop card (stop-card.js, loaded when a card is first opened) ---- */
function openSheet(target, options) {
  state.openTarget = target;
  import("./stop-card.js").then((card) => card.open(page, target, options));
}

function closeSheet() {
  state.openTarget = null;
  $("stop-sheet").hidden = true;
}

/* ---- set up ---- */
const MARKER_PX = 36;
/* Space kept between two markers' boxes, so neither covers the other's edge. */
const MARKER_GAP_PX = 4;

function drawStops() {
  for (const stop of stops) {
    const marker = L.marker(stop.at, {
      icon: L.divIcon({
        className: "stop-marker stop-marker--montage tour-marker",
        html: `<span aria-hidden="true">${stop.number}</span>`,
        iconSize: [MARKER_PX, MARKER_PX],
        iconAnchor: [MARKER_PX / 2, MARKER_PX / 2],
      }),
      title: stopLabel(stop),
      keyboard: true,
      riseOnHover: true,
    }).addTo(map);
    marker.on("click", () => openSheet(stop));
    state.layers.markers.set(stop.id, marker);
  }
  const leaders = L.layerGroup().addTo(map);
  partMarkers(leaders);
  map.on("zoomend", () => partMarkers(leaders));
}

/* Stops a few metres apart (the Rocky statue stands at the foot of the museum steps) would
   cover each other at city zoom, leaving one too small to tap (WCAG 2.5.8). So at each zoom
   every marker is drawn where it belongs if that is clear of the markers already placed (in
   tour order), else moved out to the nearest clear spot, with a thin line and a dot back to
   its true place. Zooming in parts them and they return home. */
function partMarkers(leaders) {
  const reach = MARKER_PX + MARKER_GAP_PX;
  const placed = [];
  /* boxes, not discs: a box that overlaps another is partly covered for a tap */
  const clear = (p) => placed.every((q) => Math.max(Math.abs(p.x - q.x), Math.abs(p.y - q.y)) >= reach);
  leaders.clearLayers();
  for (const stop of stops) {
    const at = map.latLngToLayerPoint(stop.at);
    let spot = at;
    if (!clear(spot)) {
      /* first away from the nearest marker in the way (straight up if on top of it), then
         turning either side of that, on rings one marker wider each time */
      const nearest = placed.reduce((best, q) => (q.distanceTo(at) < best.distanceTo(at) ? q : best));
      const away = at.equals(nearest) ? -Math.PI / 2 : Math.atan2(at.y - nearest.y, at.x - nearest.x);
      const turns = [0, 1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6].map((k) => away + (k * Math.PI) / 6);
      search: for (let ring = 1; ring <= stops.length; ring += 1) {
        for (const angle of turns) {
          const candidate = at.add(L.point(Math.cos(angle), Math.sin(angle)).multiplyBy(ring * reach)).round();
          if (clear(candidate)) { spot = candidate; break search; }
        }
      }
    }
    placed.push(spot);
    const shift = spot.subtract(at);
    const icon = state.layers.markers.get(stop.id).getElement();
    icon.style.marginLeft = `${shift.x - MARKER_PX / 2}px`;
    icon.style.marginTop = `${shift.y - MARKER_PX / 2}px`;
    if (!at.equals(spot)) {
      const style = { color: "#1a1a1a", weight: 2, opacity: 0.9, interactive: false };
      leaders.addLayer(L.polyline([stop.at, map.layerPointToLatLng(spot)], style));
      leaders.addLayer(L.circleMarker(stop.at, { ...style, radius: 3, fillColor: "#1a1a1a", fillOpacity: 1 }));
    }
  }
}

function wire() {
  for (const stop of stops) {
    stop.checkbox.addEventListener("change", () => setChecked(stop, stop.checkbox.checked));
  }
  $("next-name").addEventListener("click", () => {
    const next = nextStop();
    if (next === finish) openSheet(finish.stop || finish); /* its card offers "I am back at the start" */
    else if (next) openSheet(next);
  });
  $("sheet-visit").addEventListener("click", () => {
    const target = state.openTarget;
    if (target === finish || backAtStart(target)) reachFinish(); else setChecked(target, !isChecked(target));
  });
  $("sheet-close").addEventListener("click", closeSheet);
  $("btn-run").addEventListener("click", () => (state.progress.runningSince ? pauseClock() : startClock()));
  $("btn-locate").addEventListener("click", () => {
    if (state.here) map.setView(state.here.at, Math.max(map.getZoom(), 16));
    else startWatch({ centre: true });
  });
  $("btn-units").addEventListener("click", () => {
    state.units = state.units === "km" ? "mi" : "km";
    saveUnits(state.units);
    render();
  });
  $("btn-voice").addEventListener("click", () => setVoice(!state.voiceOn));
  const dialog = $("reset-dialog");
  $("btn-reset").addEventListener("click", () => dialog.showModal());
  dialog.addEventListener("close", () => {
    if (dialog.returnValue !== "reset") return;
    clearProgress(storeKey);
    state.progress = loadProgress(storeKey);
    state.turns = null;
    whenFollowing("reset");
    import("./run-record.js").then(({ clearTrack }) => clearTrack(storeKey)).catch(() => {});
    releaseWakeLock();
    closeSheet();
    say("Progress erased: the tour starts again from stop 1.");
    render();
  });
  const noTiles = () => notice("No map background (offline?): route and stops still shown.", "tiles");
  map.eachLayer((layer) => {
    if (layer instanceof L.TileLayer) {
      layer.on("tileerror", noTiles);
      layer.on("tileload", () => notice("", "tiles"));
    }
  });
  /* The map's inline script asked for tiles before this module ran: catch failures already in. */
  const tiles = [...map.getContainer().querySelectorAll("img.leaflet-tile")];
  if (tiles.length && tiles.every((img) => img.complete && !img.naturalWidth)) noTiles();
  watchProgress(storeKey, (progress) => { state.progress = progress; render(); });
}

/* What the lazily loaded modules (follow.js, finish.js) see of this page. */
const page = {
  state, stops, finish, map, storeKey, name: dataset.name, activity: dataset.activity,
  distance, nextStop, legBounds, following, isChecked, backAtStart, setChecked, reachFinish, openSheet, render,
  message, say, notice, callTurns, speak: speakLine, elapsed: () => elapsedMs(state.progress),
};

/* A plan of one's own is not in the service worker's precache, and on a first visit the page
   and its route came before the worker took over: once it does, fetch both again through it,
   and it keeps them for offline use (sw.js keeps plans; anything else is fetched and dropped). */
const keepOffline = () => [location.href, dataset.routeUrl].forEach((url) => fetch(url).catch(() => {}));
if (dataset.progressKey.startsWith("plan:")) navigator.serviceWorker?.addEventListener("controllerchange", keepOffline);

drawStops();
wire();
/* The panel grows and shrinks (messages, the list of stops): keep Leaflet's idea of the map's size right, and the route framed. */
new ResizeObserver(() => { map.invalidateSize(); frameBelowNotice(); }).observe(map.getContainer());
render();
if (state.progress.runningSince) keepAwake();
navigator.permissions?.query({ name: "geolocation" }).then((status) => {
  /* Ask for the position only on a tap (Start / Centre on me), unless already allowed. */
  if (status.state === "granted" || state.progress.runningSince) startWatch();
  else if (status.state === "denied") message("Location is off, so the map cannot follow you. Tap a stop on the map or in the list to tick it.");
}, () => {});
fetchRoute(dataset.routeUrl)
  .then((route) => { useRoute(route); render(); })
  .catch((error) => notice(navigator.onLine
    ? `The route line could not be loaded (${error.message}); the stops are shown and can be ticked.`
    : "The route line is not saved on this phone yet; the stops are shown and can be ticked.", "route"));
