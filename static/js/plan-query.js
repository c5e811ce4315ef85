/* A plan as a share link: the browser's side of tourapp/plan_request.py. The query is written
   exactly as PlanRequest.to_query() / query_string() write it (same keys, same order, only
   non-default values, numbers in their shortest form), so the link the page shows is the link
   the server would write for the same plan. No DOM here. */

export const METRES_PER_MILE = 1609.344;
/* PACE_LIMITS_S_PER_KM in plan_request.py: 2:00 to 30:00 per km. */
export const PACE_LIMITS_S_PER_KM = [120, 1800];

const round6 = (x) => Math.round(x * 1e6) / 1e6;
const latlon = (p) => `${round6(p[0])},${round6(p[1])}`;

/* The query string of a plan: {tour, stops, order, start, end, loop, activity, pace, units}. */
export function planQuery(plan) {
  const out = [];
  if (plan.tour) out.push(["tour", plan.tour]);
  else if (plan.stops.length) out.push(["stops", plan.stops.join(",")]);
  if (plan.order && plan.order !== "given") out.push(["order", plan.order]);
  if (plan.start) out.push(["start", latlon(plan.start)]);
  if (plan.end) out.push(["end", latlon(plan.end)]);
  if (plan.loop !== null && plan.loop !== undefined) out.push(["loop", plan.loop ? "true" : "false"]);
  if (plan.activity) out.push(["activity", plan.activity]);
  if (plan.pace) out.push(["pace", String(plan.pace)]);
  if (plan.units && plan.units !== "km") out.push(["units", plan.units]);
  const encode = (v) => encodeURIComponent(v).replace(/%2C/g, ",").replace(/%3A/g, ":");
  return out.map(([k, v]) => `${k}=${encode(v)}`).join("&");
}

/* How many places a plan visits: stops plus its own start and finish (the server wants two). */
export function placeCount(plan) {
  return plan.stops.length + (plan.start ? 1 : 0) + (plan.end ? 1 : 0);
}

/* Stops in film order: the montage by its number, then the other places as listed. */
export function filmSorted(ids, montageOrder, listed) {
  const key = (id) => [montageOrder[id] ? 0 : 1, montageOrder[id] || 0, listed.indexOf(id)];
  return [...ids].sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    return ka[0] - kb[0] || ka[1] - kb[1] || ka[2] - kb[2];
  });
}

/* "5:30" per km or per mile -> seconds per km (to 0.1 s); null for an empty field. "5.30"
   and "530" are read as 5:30 too: a phone's number keypad may have no ":" (iOS has none).
   Throws an Error with a message for the page when the text is not a pace. */
export function parsePace(text, units) {
  const trimmed = text.trim();
  if (!trimmed) return null;
  const m = /^(\d{1,2})[:.]?([0-5]\d)$/.exec(trimmed);
  if (!m) throw new Error(`Write the pace as minutes:seconds, like 6:00, 6.00 or 600 (got “${trimmed}”).`);
  const perUnit = Number(m[1]) * 60 + Number(m[2]);
  const perKm = Math.round((units === "mi" ? perUnit / (METRES_PER_MILE / 1000) : perUnit) * 10) / 10;
  const [low, high] = PACE_LIMITS_S_PER_KM;
  if (perKm < low || perKm > high) {
    const limits = units === "mi" ? "3:14 to 48:16 per mile" : "2:00 to 30:00 per km";
    throw new Error(`A pace on foot is between ${limits}.`);
  }
  return perKm;
}
