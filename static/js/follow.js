/* Following the runner's position on the tour page: each GPS fix is judged (too vague, a jump,
   lost), placed along the route, and acted on — check-ins, the track, turns to call, off
   route. Loaded by tour.js only once the position is wanted (Start, Centre on me, or the
   permission already given), so a first visit that never shares a position never fetches it.
   `page` is tour.js's view of the page: its state and the functions that change it. */
import { distanceM } from "./geometry.js";
import { followAlong } from "./line-follow.js";
import { JumpFilter, LOST_AFTER_MS, OFF_ROUTE_M, OffRouteWatch, TOP_SPEED_MPS, isCoarse } from "./gps-filter.js";

const ARRIVE_M = 30; /* closer than this to a stop checks it in */

let page = null;
let state = null;
/* What only the position side needs to remember. */
const gps = {
  jumps: null,
  offRoute: new OffRouteWatch(),
  offRouteShown: false,
  seenOnRoute: false,
  recorder: null, /* a promise of the run-record Recorder */
  ticker: null, /* the one-second tick: started once, however often watching starts again */
};

/* Start watching the position (once); centre the map on the first fix if asked. */
export function follow(tourPage, { centre = false } = {}) {
  page = tourPage;
  state = page.state;
  gps.jumps = gps.jumps || new JumpFilter(TOP_SPEED_MPS[page.activity] || TOP_SPEED_MPS.run);
  if (!("geolocation" in navigator)) {
    page.message("This browser cannot share your position. Tick the stops by tapping them on the map or in the list.");
    return;
  }
  if (centre) state.pendingCentre = true;
  if (state.watchId !== null) return;
  state.watchId = navigator.geolocation.watchPosition(onPosition, onPositionError, {
    enableHighAccuracy: true, maximumAge: 5000, timeout: 30000,
  });
  /* watching starts again after a refused permission (watchId back to null): one ticker */
  gps.ticker ??= setInterval(tick, 1000);
}

/* The tour started: the fix already in (standing at a stop) counts at once. */
export function started() {
  const fresh = state.here && Date.now() - state.here.time < LOST_AFTER_MS;
  if (fresh && state.progress.runningSince) record(state.here);
  if (fresh) checkIn(state.here);
}

/* The progress was erased: forget where on the route the runner was, and the track. */
export function reset() {
  state.alongM = null;
  gps.seenOnRoute = false;
  gps.offRoute.reset();
  showOffRoute();
  gps.recorder = null;
}

function onPosition(position) {
  const { latitude, longitude, accuracy } = position.coords;
  const fix = { at: [latitude, longitude], accuracy, time: Date.now() };
  state.lastFixAt = fix.time;
  state.lost = false;
  if (isCoarse(fix)) {
    state.coarse = fix;
    drawHere(fix);
    page.message(`GPS is poor: ±${page.distance(accuracy)}. Nothing is checked in until it is better.`);
    page.render();
    return;
  }
  state.coarse = null;
  const { use, held } = gps.jumps.take(fix);
  if (!use) {
    const jump = state.here ? " " + page.distance(distanceM(state.here.at, held.at)) : "";
    page.message(`Your position jumped${jump}: waiting for the next fix to confirm it.`);
    page.render();
    return;
  }
  state.here = use;
  if (state.messageKind === "location") page.message("");
  drawHere(use);
  if (state.pendingCentre) {
    state.pendingCentre = false;
    page.map.setView(use.at, Math.max(page.map.getZoom(), 16));
  }
  followRoute();
  if (page.following()) {
    if (state.progress.runningSince) record(use);
    checkIn(use);
  }
  page.render();
}

/* Where the runner is along the route, then what that means: turns to call, off route. */
export function followRoute() {
  const { here, route } = state;
  if (!here || !route) return;
  const [from, to] = page.legBounds();
  const { along, gapM } = followAlong(route, here.at, state.alongM, from, to, Math.max(30, here.accuracy));
  state.alongM = along;
  const gap = to - from < 1 ? null : gapM; /* heading for the start: no route to be on yet */
  if (gap !== null && gap <= OFF_ROUTE_M) gps.seenOnRoute = true;
  if (!page.following()) return;
  page.callTurns(along);
  if (gap !== null && (gps.seenOnRoute || state.progress.checked.length)) {
    gps.offRoute.update(gap, here.accuracy, here.time);
  }
  showOffRoute();
}

function showOffRoute() {
  const off = page.following() && gps.offRoute.check(Date.now());
  if (off) {
    const away = page.distance(gps.offRoute.gapM);
    page.notice(`Off route: ${away} from it. Head back to the line.`, "off-route");
    if (!gps.offRouteShown) page.speak(`You are off route, ${away} from it.`);
  } else if (gps.offRouteShown || state.notices.has("off-route")) {
    page.notice("", "off-route");
    if (gps.offRouteShown && page.following()) page.speak("Back on route.");
  }
  gps.offRouteShown = off;
}

function checkIn(here) {
  if (!page.following() || isCoarse(here)) return;
  const arrived = page.stops
    .filter((stop) => !page.isChecked(stop))
    .map((stop) => ({ stop, gap: distanceM(here.at, stop.at) }))
    .filter(({ gap }) => gap <= ARRIVE_M)
    .sort((a, b) => a.gap - b.gap)[0];
  const { finish } = page;
  if (arrived) {
    page.setChecked(arrived.stop, true);
    buzz();
    page.openSheet(arrived.stop, { focus: false });
  } else if (finish && page.nextStop() === finish && distanceM(here.at, finish.at) <= ARRIVE_M) {
    page.reachFinish();
    buzz();
  }
}

function buzz() {
  if (navigator.vibrate && navigator.userActivation?.hasBeenActive) navigator.vibrate(200);
}

function onPositionError(error) {
  if (error.code === error.PERMISSION_DENIED) {
    navigator.geolocation.clearWatch(state.watchId);
    state.watchId = null;
    page.message("Location is off, so the map cannot follow you. Tap a stop on the map or in the list to tick it.");
  } else if (!state.lastFixAt) {
    page.message("No position yet (weak GPS signal?). Still trying; tap a stop to tick it by hand.");
  } /* after a fix, tick() says when it is lost */
}

/* Every second: a fix lost for too long, and off route (time passes without fixes too). */
function tick() {
  const now = Date.now();
  if (state.lastFixAt && !state.lost && now - state.lastFixAt >= LOST_AFTER_MS) {
    state.lost = true;
    page.message(`Position lost: no GPS fix for ${Math.round((now - state.lastFixAt) / 1000)} s. The figures are from your last fix.`);
    page.render();
  }
  showOffRoute();
}

function drawHere(fix) {
  const { layers } = state;
  if (!page.map.getPane("here")) page.map.createPane("here").style.zIndex = 650; /* above the stop markers */
  const options = { interactive: false, color: "#0b57d0", pane: "here" };
  if (!layers.dot) {
    layers.circle = L.circle(fix.at, { ...options, radius: fix.accuracy, weight: 1, fillOpacity: 0.12 }).addTo(page.map);
    layers.dot = L.circleMarker(fix.at, { ...options, radius: 8, weight: 3, color: "#fff", fillColor: "#0b57d0", fillOpacity: 1 }).addTo(page.map);
  }
  layers.circle.setLatLng(fix.at).setRadius(fix.accuracy);
  layers.dot.setLatLng(fix.at);
}

/* ---- the run's own track, kept while the clock runs ---- */
function recorder() {
  gps.recorder = gps.recorder || import("./run-record.js").then((module) => module.Recorder.open(page.storeKey));
  return gps.recorder;
}

function record(fix) {
  recorder()
    .then((r) => r.add(fix, (point, next) => distanceM([point.lat, point.lon], next.at)))
    .catch(() => { /* no IndexedDB (private mode): the tour works, without a track */ });
}
