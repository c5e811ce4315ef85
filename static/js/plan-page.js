/* The planner page (/plan): the runner's choices -> a plan -> /api/plan -> the map, totals, legs
   and cues; the plan is always the page's URL (history.replaceState), so a copied link, the QR
   code and the cue sheet all carry exactly what is on screen. The server rendered the form for
   the plan in the URL; this script starts from the same values (#plan-initial). */

import { ApiError, fetchJSON } from "./api.js";
import { formatDistance, formatDuration, formatPace } from "./format.js";
import { filmSorted, parsePace, placeCount, planQuery } from "./plan-query.js";

const $ = (id) => document.getElementById(id);
const panel = $("planner");
/* The route of a shared link is fetched at once, while Leaflet and the map are still loading. */
const firstRoute = panel.dataset.routeUrl ? fetch(panel.dataset.routeUrl) : null;
/* The page draws its map on DOMContentLoaded (Leaflet is deferred); modules run just before. */
const mapNow = () => (window.L && window[panel.dataset.map] instanceof L.Map ? window[panel.dataset.map] : null);
const map = mapNow() || await new Promise((resolve) => {
  document.addEventListener("DOMContentLoaded", () => resolve(mapNow()), { once: true });
});

/* ---- the catalogue, as the page lists it ---- */
const stops = new Map([...document.querySelectorAll(".plan-stop")].map((row) => [row.dataset.stopId, {
  id: row.dataset.stopId,
  name: row.querySelector(".plan-stop__name > span:last-child").textContent,
  at: [Number(row.dataset.lat), Number(row.dataset.lon)],
  montageOrder: Number(row.dataset.montageOrder) || null,
  checkbox: row.querySelector("input"),
}]));
const listed = [...stops.keys()];
const montageOrder = Object.fromEntries([...stops.values()].map((s) => [s.id, s.montageOrder]));
const presets = new Map([...document.querySelectorAll("[data-preset]")].map((button) => [button.dataset.preset, {
  stops: button.dataset.stops.split(","),
  loop: button.dataset.loop === "true",
  activity: button.dataset.activity,
  button,
}]));
const defaultPace = { run: Number(panel.dataset.runPace), walk: Number(panel.dataset.walkPace) };
const maxStops = Number(panel.dataset.maxStops);

/* {tour, stops, mode: film|shortest|own, start, end, loop, activity, pace, units}: null means
   "the default" (the tour's own loop and activity; the activity's pace), as in PlanRequest. */
const plan = JSON.parse($("plan-initial").textContent);
const ui = {
  startAt: plan.start ? "point" : "stop",
  endAt: plan.end ? "point" : "stop",
  picking: null, /* "start" | "end" while the next map click sets that point */
  route: null, /* the last route GeoJSON's line properties and places, for the figures */
  fitNext: Boolean(firstRoute), /* frame the map on the next route (a shared link, a preset) */
};

const preset = () => (plan.tour ? presets.get(plan.tour) : null);
const isLoop = () => plan.loop ?? preset()?.loop ?? false;
const activity = () => plan.activity ?? preset()?.activity ?? "run";
const pace = () => plan.pace ?? defaultPace[activity()];
/* "5:30" per km or per mile, for the pace field (format.js's rounding, without the unit) */
const paceText = (sPerKm, units) => formatPace(sPerKm, units).split(" ")[0];
if (isLoop()) ui.endAt = "loop";

/* What the server is asked for: PlanRequest's fields. */
function request() {
  return {
    tour: plan.tour,
    stops: plan.tour ? [] : plan.stops,
    order: plan.mode === "shortest" ? "shortest" : "given",
    start: plan.start,
    end: isLoop() ? null : plan.end,
    loop: plan.loop,
    activity: plan.activity,
    pace: plan.pace,
    units: plan.units,
  };
}
/* The server plans at least one stop and two places: a start and a finish alone are no plan. */
const ready = () => plan.stops.length >= 1
  && placeCount({ stops: plan.stops, start: plan.start, end: isLoop() ? null : plan.end }) >= 2;

/* ---- changing the plan ---- */

/* New stops: a tour preset becomes the runner's own plan, keeping what the tour implied. */
function setStops(ids) {
  const tour = preset();
  if (tour && ids.join() !== tour.stops.join()) {
    if (plan.loop === null && tour.loop) plan.loop = true;
    if (plan.activity === null && tour.activity !== "run") plan.activity = tour.activity;
    plan.tour = null;
    if (plan.loop === false) plan.loop = null; /* one-way is a custom plan's default */
  }
  plan.stops = ids;
}

function toggleStop(id, on) {
  let ids = plan.stops.filter((s) => s !== id);
  if (on && !plan.stops.includes(id)) {
    if (plan.stops.length >= maxStops) {
      say(`A plan visits at most ${maxStops} stops.`);
      render();
      return;
    }
    ids.push(id);
  }
  if (plan.mode === "film") ids = filmSorted(ids, montageOrder, listed);
  setStops(ids);
  changed();
}

function choosePreset(id) {
  const tour = presets.get(id);
  Object.assign(plan, { tour: id, stops: [...tour.stops], loop: null, activity: null, end: null });
  plan.mode = plan.stops.join() === filmSorted(plan.stops, montageOrder, listed).join() ? "film" : "own";
  ui.endAt = tour.loop ? "loop" : "stop";
  ui.fitNext = true;
  changed();
}

function clearPlan() {
  Object.assign(plan, { tour: null, stops: [], start: null, end: null, loop: null });
  Object.assign(ui, { startAt: "stop", endAt: "stop", route: null });
  changed();
}

function setMode(mode) {
  plan.mode = mode;
  if (mode === "film") setStops(filmSorted(plan.stops, montageOrder, listed));
  changed();
}

/* Move a stop to another place in the list (arrow buttons, drag and drop): the order is now
   the runner's own. */
function moveStop(id, to) {
  const ids = plan.stops.filter((s) => s !== id);
  ids.splice(Math.max(0, Math.min(to, ids.length)), 0, id);
  if (ids.join() === plan.stops.join()) return;
  setStops(ids);
  plan.mode = "own";
  changed();
}

function setLoop(loop) {
  const fallback = preset()?.loop ?? false;
  plan.loop = loop === fallback ? null : loop;
}

function setPoint(which, at, label = null) {
  plan[which] = [Math.round(at[0] * 1e6) / 1e6, Math.round(at[1] * 1e6) / 1e6];
  if (which === "end") setLoop(false);
  ui[which === "start" ? "startAt" : "endAt"] = "point";
  const message = $(`${which}-message`);
  if (message) message.textContent = label ? `Found: ${label}` : "";
  stopPicking();
  changed();
}

/* Re-render, write the URL, and ask for the route again when it depends on what changed. */
function changed({ route = true } = {}) {
  render();
  const query = planQuery(request());
  history.replaceState(null, "", ready() ? `${location.pathname}?${query}` : location.pathname);
  if (route) loadRoute();
  else showFigures();
}

/* ---- the route ---- */
let generation = 0;
let inFlight = null;

async function loadRoute(first = null) {
  const mine = ++generation;
  inFlight?.abort();
  inFlight = null;
  if (!ready()) {
    ui.route = null;
    drawRoute();
    showFigures();
    say(plan.stops.length ? "Add one more stop, or a start or finish point of your own."
      : plan.start || plan.end ? "Pick at least one stop to visit." : "Pick at least two stops, or a tour below.");
    return;
  }
  say("Working out the route…");
  panel.setAttribute("aria-busy", "true");
  try {
    let geojson;
    if (first) {
      const response = await first;
      if (!response.ok) {
        const body = await response.json().catch(() => ({}));
        throw new ApiError(body.error?.message || `HTTP ${response.status}`, response.status);
      }
      geojson = await response.json();
    } else {
      inFlight = new AbortController();
      geojson = await fetchJSON(`${panel.dataset.apiUrl}?${planQuery(request())}`, { signal: inFlight.signal });
    }
    if (mine !== generation) return;
    acceptRoute(geojson);
    problem(null);
  } catch (error) {
    if (mine !== generation || error.name === "AbortError") return;
    ui.route = null;
    drawRoute();
    showFigures();
    if (error instanceof ApiError) {
      problem(error.message);
      say("This plan cannot be worked out; change it and try again.");
    } else {
      problem("The route cannot be worked out offline. Your plan is kept: it will be worked out when you are back online.");
      say("");
    }
  } finally {
    if (mine === generation) panel.removeAttribute("aria-busy");
  }
}

function acceptRoute(geojson) {
  const line = geojson.features.find((f) => f.geometry.type === "LineString");
  const places = geojson.features.filter((f) => f.geometry.type === "Point")
    .sort((a, b) => a.properties.sequence - b.properties.sequence);
  ui.route = { line, places };
  if (plan.mode === "shortest") {
    /* the list shows the order the runner will visit; the link keeps order=shortest, and the
       server keeps the first and last stop of this order where they are, so it is stable */
    const visit = places.filter((p) => p.properties.kind === "stop").map((p) => p.properties.id);
    if (visit.length === plan.stops.length && visit.join() !== plan.stops.join()) {
      if (plan.tour) plan.stops = visit; else setStops(visit);
      render();
      history.replaceState(null, "", `${location.pathname}?${planQuery(request())}`);
    }
  }
  drawRoute();
  showFigures();
}

function showFigures() {
  const units = plan.units;
  const line = ui.route?.line.properties;
  $("total-stops").textContent = String(plan.stops.length);
  $("total-distance").textContent = line ? formatDistance(line.length_m, units) : "–";
  $("total-time").textContent = line ? formatDuration(line.length_m / 1000 * pace()) : "–";
  $("plan-straight").hidden = !line || line.street_following !== false;
  const legs = $("plan-legs");
  const cues = $("plan-cues");
  legs.replaceChildren();
  cues.replaceChildren();
  if (!line) return;
  say(`${plan.stops.length} stops, ${formatDistance(line.length_m, units)}, about ${formatDuration(line.length_m / 1000 * pace())}${isLoop() ? ", a loop" : ""}.`);
  line.legs.forEach((leg, index) => {
    const item = el("li", "plan-leg");
    item.append(el("span", "plan-leg__names", `${leg.from_name} → ${leg.to_name}`),
      el("span", "plan-leg__figures", `${formatDistance(leg.length_m, units)} · ${formatDuration(leg.length_m / 1000 * pace())}`));
    legs.append(item);
    cues.append(el("h3", "plan-cues__leg", `${index + 1}. ${leg.from_name} → ${leg.to_name}`));
    const list = el("ol");
    for (const cue of leg.cues) {
      const text = cue.turn === "arrive" ? cue.instruction : `${cue.instruction} — ${formatDistance(cue.distance_m, units)}`;
      list.append(el("li", cue.turn === "arrive" ? "tour-cues__arrive" : "", text));
    }
    cues.append(list);
  });
}

/* ---- the map ---- */
const layers = { lines: L.layerGroup().addTo(map), ends: L.layerGroup().addTo(map), markers: new Map() };

function markerLabel(stop) {
  const position = plan.stops.indexOf(stop.id);
  if (position >= 0) return { text: String(position + 1), title: `Stop ${position + 1}: ${stop.name}. Choose to remove it from the plan` };
  const kind = stop.montageOrder ? `montage stop ${stop.montageOrder}` : "other Rocky place";
  return { text: stop.montageOrder ? String(stop.montageOrder) : "★", title: `${stop.name} (${kind}). Choose to add it to the plan` };
}

function drawMarkers() {
  for (const stop of stops.values()) {
    let marker = layers.markers.get(stop.id);
    if (!marker) {
      marker = L.marker(stop.at, {
        icon: L.divIcon({ className: "stop-marker plan-marker", html: "<span></span>", iconSize: [36, 36], iconAnchor: [18, 18] }),
        keyboard: true,
        riseOnHover: true,
      }).addTo(map);
      marker.on("click", () => (ui.picking ? setPoint(ui.picking, [stop.at[0], stop.at[1]]) : toggleStop(stop.id, !plan.stops.includes(stop.id))));
      layers.markers.set(stop.id, marker);
    }
    const element = marker.getElement();
    const label = markerLabel(stop);
    const chosen = plan.stops.includes(stop.id);
    element.firstChild.textContent = label.text;
    element.title = label.title;
    element.setAttribute("aria-label", label.title);
    element.setAttribute("aria-pressed", String(chosen));
    element.classList.toggle("is-chosen", chosen);
    element.classList.toggle("stop-marker--montage", chosen || Boolean(stop.montageOrder));
    element.classList.toggle("stop-marker--other", !chosen && !stop.montageOrder);
    marker.setZIndexOffset(chosen ? 1000 : 0);
  }
  declutter();
  layers.ends.clearLayers();
  for (const [which, letter, name] of [["start", "S", "Start"], ["end", "F", "Finish"]]) {
    const at = which === "end" && isLoop() ? null : plan[which];
    if (!at) continue;
    const marker = L.marker(at, {
      icon: L.divIcon({ className: `stop-marker stop-marker--route stop-marker--${which}`, html: `<span>${letter}</span>`, iconSize: [30, 30], iconAnchor: [15, 15] }),
      title: `${name} point: drag to move it`, alt: `${name} point`, draggable: true, keyboard: false,
    }).addTo(layers.ends);
    marker.on("dragend", () => {
      const { lat, lng } = marker.getLatLng();
      setPoint(which, [lat, lng]);
    });
  }
}

/* A stop left out of the plan gives way to the plan's stops and to the others before it, so
   every visible marker is a whole tap target (as maps.Declutter does on the other maps);
   zooming in brings it back, and the list always has every stop. */
const MARKER_REACH_PX = 40;
function declutter() {
  const placed = [];
  const markers = [...layers.markers.entries()].sort(([a], [b]) => plan.stops.includes(b) - plan.stops.includes(a));
  for (const [id, marker] of markers) {
    const at = map.latLngToLayerPoint(marker.getLatLng());
    const crowded = !plan.stops.includes(id) && placed.some((p) => p.distanceTo(at) < MARKER_REACH_PX);
    marker.getElement().classList.toggle("is-crowded", crowded);
    if (!crowded) placed.push(at);
  }
}

function drawRoute() {
  layers.lines.clearLayers();
  if (!ui.route) return;
  const { line } = ui.route;
  const coords = line.geometry.coordinates.map(([lon, lat]) => [lat, lon]);
  const street = line.properties.street_following !== false;
  L.polyline(coords, { color: "#b3261e", weight: 5, opacity: 0.85, dashArray: street ? null : "8 8", interactive: false })
    .addTo(layers.lines);
  if (ui.fitNext && coords.length > 1) {
    map.fitBounds(L.latLngBounds(coords), { padding: [32, 32], animate: false });
    ui.fitNext = false;
  }
}

function stopPicking() {
  ui.picking = null;
  $("pick-notice").hidden = true;
  map.getContainer().classList.remove("is-picking");
  for (const button of document.querySelectorAll("[data-pick]")) button.setAttribute("aria-pressed", "false");
}

/* ---- the panel ---- */
function el(tag, className = "", text = null) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== null) node.textContent = text;
  return node;
}

function say(text) {
  $("plan-status").textContent = text;
}

function problem(text) {
  const box = $("plan-problem");
  box.textContent = text || "";
  box.hidden = !text;
}

const checkRadio = (name, value) => {
  const radio = document.querySelector(`input[name="${name}"][value="${value}"]`);
  if (radio) radio.checked = true;
};

function pointText(which) {
  const at = plan[which];
  const what = which === "start" ? "Start" : "Finish";
  return at ? `${what}: ${at[0].toFixed(5)}, ${at[1].toFixed(5)}` : `No ${what.toLowerCase()} point yet: pick one below.`;
}

function renderOrder() {
  const list = $("plan-order");
  list.replaceChildren();
  plan.stops.forEach((id, index) => {
    const stop = stops.get(id);
    const item = el("li", "plan-order__item");
    item.dataset.stopId = id;
    item.draggable = true;
    const up = el("button", "plan-move", "▲");
    const down = el("button", "plan-move", "▼");
    for (const [button, step, word] of [[up, -1, "up"], [down, 1, "down"]]) {
      button.type = "button";
      button.dataset.move = String(step);
      button.setAttribute("aria-label", `Move ${stop.name} ${word}`);
    }
    up.disabled = index === 0;
    down.disabled = index === plan.stops.length - 1;
    const number = el("span", "plan-order__number", String(index + 1));
    number.setAttribute("aria-hidden", "true");
    item.append(number, el("span", "plan-order__name", stop.name), up, down);
    list.append(item);
  });
}

function render() {
  for (const stop of stops.values()) stop.checkbox.checked = plan.stops.includes(stop.id);
  for (const [id, tour] of presets) tour.button.setAttribute("aria-pressed", String(plan.tour === id));
  checkRadio("mode", plan.mode);
  checkRadio("start-at", ui.startAt);
  checkRadio("end-at", ui.endAt);
  checkRadio("activity", activity());
  checkRadio("units", plan.units);
  renderOrder();
  for (const which of ["start", "end"]) {
    $(`${which}-tools`).hidden = ui[which === "start" ? "startAt" : "endAt"] !== "point";
    $(`${which}-where`).textContent = pointText(which);
  }
  $("pace-unit").textContent = plan.units === "mi" ? "mile" : "km";
  const paceInput = $("pace");
  paceInput.placeholder = paceText(defaultPace[activity()], plan.units);
  if (document.activeElement !== paceInput && !paceInput.getAttribute("aria-invalid")) {
    paceInput.value = plan.pace ? paceText(plan.pace, plan.units) : "";
  }
  renderShare();
  drawMarkers();
}

/* The server writes its links relative (the page is the same whatever the host); a link to
   copy or share is absolute, from this page's own address. */
const absolute = (path) => new URL(path, location.href).href;

/* Where the plan is followed on a phone, as routes/plans.py follow_url() writes it: a tour
   changed only in units or pace is followed on its own page (its progress, kept offline). */
const FOLLOW_AS_TOUR = ["tour", "units", "pace"];
function followHref(query) {
  const keys = [...new URLSearchParams(query).keys()];
  if (!plan.tour || !keys.every((key) => FOLLOW_AS_TOUR.includes(key))) return `${panel.dataset.tourUrl}?${query}`;
  /* /tour/plan -> /tour/<id>, under whatever prefix the site is served from */
  const page = new URL(encodeURIComponent(plan.tour), new URL(panel.dataset.tourUrl, location.href));
  return page.pathname + (plan.units === "km" ? "" : `?units=${plan.units}`);
}

function renderShare() {
  const query = planQuery(request());
  const ok = ready();
  $("plan-share").hidden = !ok;
  if (!ok) return;
  $("share-link").value = absolute(`${panel.dataset.planUrl}?${query}`);
  const qr = `${panel.dataset.qrUrl}?${query}`;
  if ($("plan-qr").getAttribute("src") !== qr) $("plan-qr").src = qr;
  $("follow-link").href = followHref(query);
  $("cues-link").href = `${panel.dataset.cuesUrl}?${query}`;
  for (const kind of ["gpx", "tcx", "fit"]) {
    const link = $(`${kind}-link`);
    if (link) link.href = `${panel.dataset[`${kind}Url`]}?${query}`;
  }
}

/* ---- wiring ---- */
for (const stop of stops.values()) {
  stop.checkbox.addEventListener("change", () => toggleStop(stop.id, stop.checkbox.checked));
}
for (const [id, tour] of presets) tour.button.addEventListener("click", () => choosePreset(id));
$("plan-clear").addEventListener("click", clearPlan);
for (const radio of document.querySelectorAll('input[name="mode"]')) {
  radio.addEventListener("change", () => setMode(radio.value));
}

const order = $("plan-order");
order.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-move]");
  if (!button) return;
  const id = button.closest("li").dataset.stopId;
  const step = Number(button.dataset.move);
  moveStop(id, plan.stops.indexOf(id) + step);
  /* keep the keyboard where it was: on the same stop's button (or its other one at an end) */
  const moved = order.querySelector(`li[data-stop-id="${id}"]`);
  const again = moved.querySelector(`button[data-move="${step}"]`);
  (again.disabled ? moved.querySelector(`button[data-move="${-step}"]`) : again).focus();
});
let dragged = null;
order.addEventListener("dragstart", (event) => {
  const item = event.target.closest("li");
  dragged = item?.dataset.stopId ?? null;
  if (dragged) {
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged);
    item.classList.add("is-dragged");
  }
});
order.addEventListener("dragover", (event) => {
  if (dragged) event.preventDefault();
});
order.addEventListener("drop", (event) => {
  event.preventDefault();
  const target = event.target.closest("li");
  if (!dragged || !target) return;
  const box = target.getBoundingClientRect();
  const after = event.clientY > box.top + box.height / 2;
  const others = plan.stops.filter((s) => s !== dragged);
  moveStop(dragged, others.indexOf(target.dataset.stopId) + (after ? 1 : 0));
});
order.addEventListener("dragend", () => {
  dragged = null;
  for (const item of order.children) item.classList.remove("is-dragged");
});

for (const radio of document.querySelectorAll('input[name="start-at"]')) {
  radio.addEventListener("change", () => {
    ui.startAt = radio.value;
    if (radio.value === "point") loadPoints();
    if (radio.value === "stop") {
      plan.start = null;
      stopPicking();
    }
    changed();
  });
}
for (const radio of document.querySelectorAll('input[name="end-at"]')) {
  radio.addEventListener("change", () => {
    ui.endAt = radio.value;
    if (radio.value === "point") loadPoints();
    if (radio.value !== "point") {
      plan.end = null;
      stopPicking();
    }
    setLoop(radio.value === "loop");
    changed();
  });
}
/* The point tools (map, location, address) load when a point of one's own is first wanted. */
let points = null;
function loadPoints() {
  points ||= import(panel.dataset.pointsModule).then((module) => module.wirePoints({ map, ui, setPoint, stopPicking }));
  return points;
}
map.on("zoomend", declutter);

for (const radio of document.querySelectorAll('input[name="activity"]')) {
  radio.addEventListener("change", () => {
    plan.activity = radio.value === (preset()?.activity ?? "run") ? null : radio.value;
    changed({ route: false });
  });
}
for (const radio of document.querySelectorAll('input[name="units"]')) {
  radio.addEventListener("change", () => {
    plan.units = radio.value;
    changed({ route: false });
  });
}
$("pace").addEventListener("change", () => {
  const input = $("pace");
  try {
    plan.pace = parsePace(input.value, plan.units);
    if (plan.pace) input.value = paceText(plan.pace, plan.units); /* "5.30" or "530" shows as 5:30 */
    input.removeAttribute("aria-invalid");
    $("pace-message").textContent = "";
    changed({ route: false });
  } catch (error) {
    input.setAttribute("aria-invalid", "true");
    $("pace-message").textContent = error.message;
  }
});

$("copy-link").addEventListener("click", async () => {
  const link = $("share-link");
  const message = $("copy-message");
  try {
    await navigator.clipboard.writeText(link.value);
    message.textContent = "Link copied.";
  } catch (error) {
    link.select();
    message.textContent = "Press Ctrl+C (or ⌘C) to copy the selected link.";
  }
});

/* ---- start: the plan the page was opened with ---- */
render();
if (ready()) loadRoute(firstRoute);
if (ui.startAt === "point" || ui.endAt === "point") loadPoints();
