/* Follow a tour on the phone (/tour/<id>): the route, the next stop, check-ins, progress.
   Stops come from the page (server-rendered list); the route line from /api/tours/<id>.
   Distances are metres inside and formatted as km or miles only for display. */

const ARRIVE_M = 30; /* closer than this to a stop checks it in */
const MAX_ACCURACY_M = 60; /* a fix vaguer than this never checks a stop in */
const STALE_FIX_MS = 30000; /* older than this, the last fix no longer says where the runner is */
const EARTH_RADIUS_M = 6371008.8;
const COMPASS = [["N", "north"], ["NE", "north-east"], ["E", "east"], ["SE", "south-east"],
  ["S", "south"], ["SW", "south-west"], ["W", "west"], ["NW", "north-west"]];

const $ = (id) => document.getElementById(id);
const panel = $("tour");
const tourId = panel.dataset.tourId;
/* The page draws its map on DOMContentLoaded (Leaflet is deferred); modules run just before
   that, so wait for it: the page's listener was added first, so the map exists by then.
   (Until then window[<map id>] is the map's <div>: browsers expose elements by id.) */
const mapNow = () => (window[panel.dataset.map] instanceof L.Map ? window[panel.dataset.map] : null);
const map = mapNow() || await new Promise((resolve) => {
  document.addEventListener("DOMContentLoaded", () => resolve(mapNow()), { once: true });
});
const progressKey = `montage-run:tour:${tourId}`;
const unitsKey = "montage-run:units";

const stops = [...document.querySelectorAll(".tour-stop")].map((li, index) => ({
  id: li.dataset.stopId,
  number: index + 1,
  name: li.dataset.name,
  at: [Number(li.dataset.lat), Number(li.dataset.lon)],
  montageOrder: li.dataset.montageOrder,
  scene: li.dataset.scene,
  exercise: li.dataset.exercise,
  url: li.dataset.url,
  checkbox: li.querySelector("input"),
  along: null,
}));

/* A loop ends back at its first stop: after the last stop, the finish is the next target. */
const finish = panel.dataset.loop === "true" ? {
  id: "finish",
  number: stops.length + 1,
  name: `Back to the start: ${stops[0].name}`,
  at: stops[0].at,
  along: null, /* the route's length, once the route is known */
} : null;

let progress = loadProgress();
let units = localStorage.getItem(unitsKey) === "mi" ? "mi" : "km";
let route = null; /* {points: [[lat, lon]...], along: [m...], length: m} */
let here = null; /* {at: [lat, lon], accuracy: m, time: ms} */
let watchId = null;
let wakeLock = null;
let timer = null;
let openStopId = null;
const layers = { markers: new Map(), dot: null, circle: null };

/* ---- geometry (metres, degrees) ---- */
const rad = (deg) => (deg * Math.PI) / 180;

function distance(a, b) {
  const dLat = rad(b[0] - a[0]);
  const dLon = rad(b[1] - a[1]);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a[0])) * Math.cos(rad(b[0])) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

function bearing(a, b) {
  const y = Math.sin(rad(b[1] - a[1])) * Math.cos(rad(b[0]));
  const x = Math.cos(rad(a[0])) * Math.sin(rad(b[0])) -
    Math.sin(rad(a[0])) * Math.cos(rad(b[0])) * Math.cos(rad(b[1] - a[1]));
  return ((Math.atan2(y, x) * 180) / Math.PI + 360) % 360;
}

/* Nearest point to p on segment a-b, as the fraction t along it and the gap in metres
   (a local flat projection is fine over one segment of a city route). */
function nearestOnSegment(p, a, b) {
  const k = Math.cos(rad(p[0]));
  const bx = (b[1] - a[1]) * k;
  const by = b[0] - a[0];
  const px = (p[1] - a[1]) * k;
  const py = p[0] - a[0];
  const len2 = bx * bx + by * by;
  const t = len2 ? Math.max(0, Math.min(1, (px * bx + py * by) / len2)) : 0;
  return { t, gap: distance(p, [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]) };
}

/* Distance along the route of the point nearest p, looking only between `from` and `to` metres
   (so a loop's start and finish, or a street run twice, are not confused). */
function alongRoute(p, from = 0, to = Infinity) {
  let best = { along: from, gap: Infinity };
  for (let i = 0; i + 1 < route.points.length; i += 1) {
    if (route.along[i + 1] < from || route.along[i] > to) continue;
    const { t, gap } = nearestOnSegment(p, route.points[i], route.points[i + 1]);
    if (gap < best.gap) best = { along: route.along[i] + t * (route.along[i + 1] - route.along[i]), gap };
  }
  return Math.max(from, Math.min(to, best.along));
}

function useRoute(geojson) {
  const line = geojson.features.find((f) => f.geometry.type === "LineString");
  const points = line.geometry.coordinates.map(([lon, lat]) => [lat, lon]);
  const along = [0];
  for (let i = 1; i < points.length; i += 1) along.push(along[i - 1] + distance(points[i - 1], points[i]));
  /* Scale to the server's length (geodesic, per leg) so every figure agrees with it. */
  const measured = along[along.length - 1] || 1;
  const length = line.properties.length_m || measured;
  route = { points, along: along.map((m) => (m * length) / measured), length };
  /* Where each stop is along the line: from the legs' lengths, else by projection in order. */
  const legs = line.properties.legs || [];
  const byLeg = new Map();
  let total = 0;
  legs.forEach((leg, i) => {
    if (i === 0) byLeg.set(leg.from, 0);
    total += leg.length_m;
    if (!byLeg.has(leg.to)) byLeg.set(leg.to, total);
  });
  if (finish) finish.along = length;
  let from = 0;
  for (const stop of stops) {
    stop.along = byLeg.has(stop.id) ? (byLeg.get(stop.id) * length) / (total || length) : alongRoute(stop.at, from);
    from = stop.along;
  }
  const dashed = line.properties.street_following === false;
  if (dashed) notice("Straight lines between stops: street data is not loaded, so follow the streets yourself.", "straight");
  cueLegs = legs;
  renderedCueUnits = null; /* render() draws them */
  L.polyline(points, { color: "#b3261e", weight: 6, opacity: 0.9, dashArray: dashed ? "8 8" : null, interactive: false })
    .addTo(map).bringToBack();
  /* No second fitBounds: the line runs through the stops, which already framed the map. */
}

/* ---- progress, kept per tour in localStorage ---- */
function loadProgress() {
  try {
    const saved = JSON.parse(localStorage.getItem(progressKey));
    if (saved && saved.tour === tourId && Array.isArray(saved.checked)) return saved;
  } catch (error) { /* a corrupt entry is replaced below */ }
  return { tour: tourId, checked: [], finished: false, startedAt: null, elapsedMs: 0, runningSince: null };
}

function saveProgress() {
  localStorage.setItem(progressKey, JSON.stringify(progress));
}

const isChecked = (stop) => progress.checked.includes(stop.id);

function nextStop() {
  const lastIndex = stops.reduce((last, stop, i) => (isChecked(stop) ? i : last), -1);
  const next = stops.slice(lastIndex + 1).find((s) => !isChecked(s)) || stops.find((s) => !isChecked(s));
  if (next) return next;
  return finish && !progress.finished ? finish : null;
}

function reachFinish() {
  progress.finished = true;
  saveProgress();
  say("Back at the start: tour complete!");
  finishRun();
}

/* The tour is over: stop the clock (and with it the wake lock). */
function finishRun() {
  if (progress.runningSince) pauseClock(); else render();
}

const backAtStart = (stop) => nextStop() === finish && finish && stop === stops[0];

function setChecked(stop, checked, { announce = true } = {}) {
  if (checked === isChecked(stop)) return;
  progress.checked = checked ? [...progress.checked, stop.id] : progress.checked.filter((id) => id !== stop.id);
  if (!checked) progress.finished = false;
  if (checked && !progress.startedAt) startClock();
  saveProgress();
  if (announce) {
    const done = progress.checked.length === stops.length;
    const end = !done ? "" : finish ? " Last stop: now back to the start." : " Tour complete!";
    say(checked ? `Checked in at stop ${stop.number}: ${stop.name}.${end}` : `Stop ${stop.number} unticked.`);
  }
  if (checked && !nextStop()) finishRun(); else render();
}

function elapsedMs() {
  return progress.elapsedMs + (progress.runningSince ? Date.now() - progress.runningSince : 0);
}

function startClock() {
  progress.startedAt = progress.startedAt || new Date().toISOString();
  progress.runningSince = progress.runningSince || Date.now();
  saveProgress();
  keepAwake();
  startWatch();
  render();
}

function pauseClock() {
  progress.elapsedMs = elapsedMs();
  progress.runningSince = null;
  saveProgress();
  releaseWakeLock();
  render();
}

/* ---- the screen stays on while a tour runs (where the browser supports it) ---- */
async function keepAwake() {
  if (!("wakeLock" in navigator) || wakeLock || !progress.runningSince || document.hidden) return;
  try {
    wakeLock = await navigator.wakeLock.request("screen");
    wakeLock.addEventListener("release", () => { wakeLock = null; });
  } catch (error) { /* refused (battery saver, not visible): the tour still works */ }
}

function releaseWakeLock() {
  if (wakeLock) wakeLock.release();
  wakeLock = null;
}

document.addEventListener("visibilitychange", () => {
  if (document.hidden) releaseWakeLock(); else keepAwake();
});

/* ---- position ---- */
let pendingCentre = false;

function startWatch({ centre = false } = {}) {
  if (!("geolocation" in navigator)) {
    message("This browser cannot share your position. Tick the stops by tapping them on the map or in the list.");
    return;
  }
  if (centre) pendingCentre = true;
  if (watchId !== null) return;
  watchId = navigator.geolocation.watchPosition(onPosition, onPositionError, {
    enableHighAccuracy: true, maximumAge: 5000, timeout: 30000,
  });
}

function onPosition(position) {
  const { latitude, longitude, accuracy } = position.coords;
  here = { at: [latitude, longitude], accuracy, time: Date.now() };
  if (messageKind === "location") message("");
  drawHere();
  if (pendingCentre) {
    pendingCentre = false;
    map.setView(here.at, Math.max(map.getZoom(), 16));
  }
  if (accuracy <= MAX_ACCURACY_M) {
    const arrived = stops
      .filter((stop) => !isChecked(stop))
      .map((stop) => ({ stop, gap: distance(here.at, stop.at) }))
      .filter(({ gap }) => gap <= ARRIVE_M)
      .sort((a, b) => a.gap - b.gap)[0];
    if (arrived) {
      setChecked(arrived.stop, true);
      buzz();
      openSheet(arrived.stop, { focus: false });
    } else if (nextStop() === finish && finish && distance(here.at, finish.at) <= ARRIVE_M) {
      reachFinish();
      buzz();
    }
  }
  render();
}

function buzz() {
  if (navigator.vibrate && navigator.userActivation?.hasBeenActive) navigator.vibrate(200);
}

function onPositionError(error) {
  if (error.code === error.PERMISSION_DENIED) {
    navigator.geolocation.clearWatch(watchId);
    watchId = null;
    message("Location is off, so the map cannot follow you. Tap a stop on the map or in the list to tick it.");
  } else if (!here || Date.now() - here.time > STALE_FIX_MS) {
    /* a hiccup right after a good fix is not worth covering the news for */
    message("No position yet (weak GPS signal?). Still trying; tap a stop to tick it by hand.");
  }
}

function drawHere() {
  const options = { interactive: false, color: "#0b57d0" };
  if (!layers.dot) {
    layers.circle = L.circle(here.at, { ...options, radius: here.accuracy, weight: 1, fillOpacity: 0.12 }).addTo(map);
    layers.dot = L.circleMarker(here.at, { ...options, radius: 8, weight: 3, color: "#fff", fillColor: "#0b57d0", fillOpacity: 1 }).addTo(map);
  }
  layers.circle.setLatLng(here.at).setRadius(here.accuracy);
  layers.dot.setLatLng(here.at);
}

/* ---- output ---- */
/* The same rule as tourapp.geodesy.format_distance, so the panel agrees with the cue sheet. */
function formatDistance(m) {
  if (m === null || !Number.isFinite(m)) return "–";
  if (units === "mi") {
    const miles = m / 1609.344;
    return miles < 0.1 ? `${Math.round(m / 0.3048 / 10) * 10} ft` : `${miles.toFixed(1)} mi`;
  }
  return m < 1000 ? `${Math.round(m / 10) * 10} m` : `${(m / 1000).toFixed(1)} km`;
}

function formatTime(ms) {
  const s = Math.floor(ms / 1000);
  const hms = [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60];
  const pad = (n) => String(n).padStart(2, "0");
  return hms[0] ? `${hms[0]}:${pad(hms[1])}:${pad(hms[2])}` : `${hms[1]}:${pad(hms[2])}`;
}

/* One line above the panel: a location problem (cleared by the next good fix) or news such
   as a check-in (kept until the next message, so it can be read mid-run). */
let messageKind = null;

function message(text, kind = "location") {
  const box = $("geo-message");
  if (box.textContent !== text) box.textContent = text;
  messageKind = text ? kind : null;
}

function say(text) {
  message(text, "news");
}

/* The map's notices (no street data, no tiles), each kept until its cause goes away. */
const notices = new Map();

function notice(text, key = "tiles") {
  if (text) notices.set(key, text); else notices.delete(key);
  const box = $("tour-notice");
  box.textContent = [...notices.values()].join(" ");
  box.hidden = notices.size === 0;
}

/* ---- directions: the legs' cues from the route, in the chosen units ---- */
let cueLegs = [];
let renderedCueUnits = null;

function renderCues() {
  $("cue-list").replaceChildren(...cueLegs.flatMap((leg) => leg.cues.map((cue) => {
    const item = document.createElement("li");
    if (cue.turn === "arrive") {
      item.textContent = cue.instruction;
      item.className = "tour-cues__arrive";
    } else {
      item.textContent = `${cue.instruction} — ${formatDistance(cue.distance_m)}`;
    }
    return item;
  })));
}

function render() {
  const next = nextStop();
  const checkedCount = progress.checked.length;
  $("stops-count").textContent = `${checkedCount} of ${stops.length}`;
  for (const stop of stops) {
    stop.checkbox.checked = isChecked(stop);
    const icon = layers.markers.get(stop.id)?.getElement();
    if (icon) {
      icon.classList.toggle("is-visited", isChecked(stop));
      icon.classList.toggle("stop-marker--current", stop === next || backAtStart(stop));
      icon.title = `Stop ${stop.number}: ${stop.name}${isChecked(stop) ? " (visited)" : ""}`;
    }
  }
  const lastDone = [...stops].reverse().find(isChecked);
  /* Done: where the runner is on the route between the previous stop and the next one;
     without a position, the last stop ticked. */
  let done = route ? (lastDone ? lastDone.along : 0) : null;
  if (route && next && here) {
    const previous = next === finish ? stops[stops.length - 1] : stops[stops.indexOf(next) - 1];
    done = alongRoute(here.at, previous ? Math.min(previous.along, next.along) : 0, next.along);
  }
  if (route && !next) done = route.length;

  $("next-name").textContent = !next ? "Tour complete!" : next === finish ? next.name : `${next.number}. ${next.name}`;
  $("next-name").disabled = !next;
  const crow = next && here ? distance(here.at, next.at) : null;
  /* Off the line (before the start, a detour) the way there is never shorter than straight. */
  const known = route && next && (here || lastDone); /* else: not started, position unknown */
  $("next-route").textContent = known ? formatDistance(Math.max(Math.abs(next.along - done), crow || 0)) : "–";
  $("next-crow").textContent = formatDistance(crow);
  const arrow = $("next-arrow");
  if (next && here) {
    const heading = bearing(here.at, next.at);
    const [short, long] = COMPASS[Math.round(heading / 45) % 8];
    arrow.style.transform = `rotate(${Math.round(heading)}deg)`;
    arrow.classList.remove("is-unknown");
    $("next-direction").innerHTML = `<strong aria-hidden="true">${short}</strong><span class="visually-hidden">to the ${long}</span>`;
  } else {
    arrow.style.transform = "";
    arrow.classList.add("is-unknown");
    $("next-direction").textContent = "";
  }
  $("stat-done").textContent = formatDistance(done);
  $("stat-left").textContent = route ? formatDistance(route.length - done) : "–";
  $("stat-time").textContent = formatTime(elapsedMs());

  const running = Boolean(progress.runningSince);
  const runButton = $("btn-run");
  runButton.textContent = running ? "Pause" : progress.startedAt ? "Resume" : "Start";
  const unitsButton = $("btn-units");
  unitsButton.textContent = units;
  unitsButton.setAttribute("aria-label", units === "km" ? "km: switch units to miles" : "mi: switch units to kilometres");
  if (running && !timer) timer = setInterval(() => { $("stat-time").textContent = formatTime(elapsedMs()); }, 1000);
  if (!running && timer) { clearInterval(timer); timer = null; }
  if (openStopId) fillSheet(stops.find((s) => s.id === openStopId));
  if (cueLegs.length && units !== renderedCueUnits) { renderedCueUnits = units; renderCues(); }
}

/* ---- the stop card ---- */
function fillSheet(stop) {
  /* no nested template literals: the minifier (rjsmin) does not parse them */
  const scene = stop.montageOrder ? " · montage scene " + stop.montageOrder : "";
  $("sheet-kind").textContent = `Stop ${stop.number} of ${stops.length}${scene}${isChecked(stop) ? " · visited" : ""}`;
  $("sheet-title").textContent = stop.name;
  $("sheet-scene").textContent = stop.scene;
  $("sheet-exercise").textContent = stop.exercise ? `Exercise: ${stop.exercise}` : "";
  $("sheet-exercise").hidden = !stop.exercise;
  const visit = $("sheet-visit");
  visit.textContent = backAtStart(stop) ? "I am back at the start" : isChecked(stop) ? "Visited ✓ (untick)" : "Mark as visited";
  $("sheet-link").href = stop.url;
  $("sheet-link").setAttribute("aria-label", `About this stop: ${stop.name}`);
}

function openSheet(stop, { focus = true } = {}) {
  openStopId = stop.id;
  fillSheet(stop);
  $("stop-sheet").hidden = false;
  if (focus) $("sheet-title").focus();
}

function closeSheet() {
  openStopId = null;
  $("stop-sheet").hidden = true;
}

/* ---- set up ---- */
function drawStops() {
  for (const stop of stops) {
    const marker = L.marker(stop.at, {
      icon: L.divIcon({
        className: "stop-marker stop-marker--montage tour-marker",
        html: `<span>${stop.number}</span>`,
        iconSize: [36, 36],
        iconAnchor: [18, 18],
      }),
      title: `Stop ${stop.number}: ${stop.name}`,
      alt: `Stop ${stop.number}: ${stop.name}`,
      keyboard: true,
      riseOnHover: true,
    }).addTo(map);
    marker.on("click", () => openSheet(stop));
    layers.markers.set(stop.id, marker);
  }
}

function wire() {
  for (const stop of stops) {
    stop.checkbox.addEventListener("change", () => setChecked(stop, stop.checkbox.checked));
  }
  $("next-name").addEventListener("click", () => {
    const next = nextStop();
    if (next === finish) openSheet(stops[0]); /* its card offers "I am back at the start" */
    else if (next) openSheet(next);
  });
  $("sheet-visit").addEventListener("click", () => {
    const stop = stops.find((s) => s.id === openStopId);
    if (backAtStart(stop)) reachFinish(); else setChecked(stop, !isChecked(stop));
  });
  $("sheet-close").addEventListener("click", closeSheet);
  $("btn-run").addEventListener("click", () => (progress.runningSince ? pauseClock() : startClock()));
  $("btn-locate").addEventListener("click", () => {
    if (here) map.setView(here.at, Math.max(map.getZoom(), 16));
    else startWatch({ centre: true });
  });
  $("btn-units").addEventListener("click", () => {
    units = units === "km" ? "mi" : "km";
    localStorage.setItem(unitsKey, units);
    render();
  });
  const dialog = $("reset-dialog");
  $("btn-reset").addEventListener("click", () => dialog.showModal());
  dialog.addEventListener("close", () => {
    if (dialog.returnValue !== "reset") return;
    localStorage.removeItem(progressKey);
    progress = loadProgress();
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
  addEventListener("storage", (event) => {
    if (event.key === progressKey) { progress = loadProgress(); render(); }
  });
}

drawStops();
wire();
/* The panel grows and shrinks (messages, the list of stops): keep Leaflet's idea of the map's size right. */
new ResizeObserver(() => map.invalidateSize()).observe(map.getContainer());
render();
if (progress.runningSince) keepAwake();
navigator.permissions?.query({ name: "geolocation" }).then((status) => {
  /* Ask for the position only on a tap (Start / Centre on me), unless already allowed. */
  if (status.state === "granted" || progress.runningSince) startWatch();
  else if (status.state === "denied") onPositionError({ code: 1, PERMISSION_DENIED: 1 });
}, () => {});
fetch(panel.dataset.routeUrl)
  .then((response) => {
    if (!response.ok) {
      return response.json().then(
        (body) => { throw new Error(body.error?.message || `HTTP ${response.status}`); },
        () => { throw new Error(`HTTP ${response.status}`); },
      );
    }
    return response.json();
  })
  .then((geojson) => { useRoute(geojson); render(); })
  .catch((error) => notice(navigator.onLine
    ? `The route line could not be loaded (${error.message}); the stops are shown and can be ticked.`
    : "The route line is not saved on this phone yet; the stops are shown and can be ticked.", "route"));
