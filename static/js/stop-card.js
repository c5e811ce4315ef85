/* The stop card on the tour page: what happened at a stop, "Mark as visited", and on arrival
   the map moved so the runner's dot stays in view above the card. Loaded by tour.js when a
   card is first opened. `page` is tour.js's view of the page. */

const $ = (id) => document.getElementById(id);

/* Fill the card for a stop, or for the finish when that is not a stop. */
export function fill(page, target) {
  const { finish, stops } = page;
  const stop = target === finish && !finish.stop ? null : target.stop || target;
  /* no nested template literals: the minifier (rjsmin) does not parse them */
  const scene = stop && stop.montageOrder ? " · montage scene " + stop.montageOrder : "";
  const visited = stop && page.isChecked(stop) ? " · visited" : "";
  $("sheet-kind").textContent = stop ? `Stop ${stop.number} of ${stops.length}${scene}${visited}` : "Finish";
  $("sheet-title").textContent = stop ? stop.name : target.name;
  $("sheet-scene").textContent = stop ? stop.scene : "";
  $("sheet-exercise").textContent = stop && stop.exercise ? `Exercise: ${stop.exercise}` : "";
  $("sheet-exercise").hidden = !(stop && stop.exercise);
  const visit = $("sheet-visit");
  const atFinish = page.nextStop() === finish;
  if (!stop) visit.textContent = atFinish ? "I am at the finish" : "Finished ✓";
  else visit.textContent = page.backAtStart(stop) ? "I am back at the start" : visited ? "Visited ✓ (untick)" : "Mark as visited";
  visit.disabled = !stop && !atFinish;
  const link = $("sheet-link");
  link.hidden = !stop;
  if (stop) {
    link.href = stop.url;
    link.setAttribute("aria-label", `About this stop: ${stop.name}`);
  }
}

export function open(page, target, { focus = true } = {}) {
  if (page.state.openTarget !== target) return; /* closed or replaced meanwhile */
  fill(page, target);
  $("stop-sheet").hidden = false;
  if (focus) $("sheet-title").focus();
  keepHereInView(page);
}

/* The card covers the bottom of the map (and a notice may cover its top): move the map so
   the runner's dot shows in the strip between them. */
function keepHereInView({ state, map }) {
  const { here } = state;
  if (!here) return;
  const frame = map.getContainer().getBoundingClientRect();
  const notice = $("tour-notice");
  const top = notice.hidden ? 0 : notice.getBoundingClientRect().bottom - frame.top;
  const bottom = $("stop-sheet").getBoundingClientRect().top - frame.top;
  const point = map.latLngToContainerPoint(here.at);
  const margin = 16;
  if (point.y > top + margin && point.y < bottom - margin && point.x > margin && point.x < frame.width - margin) return;
  map.panBy([point.x - frame.width / 2, point.y - (top + bottom) / 2], { animate: false });
}
