/* The finish summary on the tour page: the time, the split at each stop, and the run's own
   track to download as GPX (made on the phone; nothing is sent anywhere). Loaded by tour.js
   only when a tour is finished. `page` is tour.js's view of the page. */
import { formatClock } from "./format.js";
import { download, loadTrack, trackGpx } from "./run-record.js";

const $ = (id) => document.getElementById(id);
let shownFor = null; /* the progress the track figures were read for */

/* The summary's parts, made the first time a tour is finished on this page. */
function build() {
  const box = $("finish-summary");
  if (box.firstChild) return;
  box.innerHTML = '<h2 id="finish-title">Finished</h2><p id="finish-totals"></p>'
    + '<ol class="tour-finish__splits" id="finish-splits" aria-label="Time at each stop"></ol><p id="finish-record"></p>'
    + '<button type="button" class="button" id="btn-track" hidden>Download your run (GPX)</button>';
}

/* Fill the summary (shown by tour.js) from the progress and the stored track. */
export function showFinish(page) {
  build();
  const { state, stops, finish } = page;
  const { arrivals } = state.progress;
  const length = state.route ? " · " + page.distance(state.route.lengthM) : "";
  $("finish-totals").textContent = `${stops.length} stops${length} · ${formatClock(page.elapsed())}`;
  const places = [...stops, ...(finish ? [finish] : [])].filter((p) => arrivals[p.id]);
  places.sort((a, b) => arrivals[a.id].elapsedMs - arrivals[b.id].elapsedMs);
  let previous = 0;
  $("finish-splits").replaceChildren(...places.map((place) => {
    const at = arrivals[place.id].elapsedMs;
    const item = document.createElement("li");
    const name = place === finish ? finish.name : `${place.number}. ${place.name}`;
    item.textContent = `${name}: ${formatClock(at)} (+${formatClock(at - previous)})`;
    previous = at;
    return item;
  }));
  if (shownFor === state.progress.startedAt) return;
  shownFor = state.progress.startedAt;
  loadTrack(page.storeKey).then((points) => {
    $("btn-track").hidden = points.length < 2;
    $("finish-record").textContent = points.length < 2
      ? "No track was recorded: the phone had no position while the clock ran."
      : `Your track (${points.length} points) is kept on this phone only: download it for Strava or a watch app.`;
  }, () => { $("finish-record").textContent = "This browser could not keep a track of the run."; });
  $("btn-track").onclick = () => downloadTrack(page);
}

async function downloadTrack(page) {
  const { state, stops, finish, name, activity } = page;
  const { arrivals } = state.progress;
  const places = [...stops, ...(finish ? [finish] : [])];
  const checkIns = places.filter((p) => arrivals[p.id]).map((p) => ({ name: p.name, at: p.at, t: arrivals[p.id].t }));
  const points = await loadTrack(page.storeKey);
  const day = new Date(points[0] ? points[0].t : Date.now()).toISOString().slice(0, 10);
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
  download(trackGpx({ name: `${name}, ${day}`, activity, points, checkIns }),
    `montage-run-${slug}-${day}.gpx`, "application/gpx+xml");
}
