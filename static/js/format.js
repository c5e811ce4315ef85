/* Numbers as a runner reads them: the same rules as tourapp/formatting.py, pinned for both by
   tests/data/formatting_cases.json. Rounding is half up, written floor(x + 0.5) in both
   languages, with the same float operations in the same order, so the phone and the cue
   sheet agree to the last digit. Inputs are metres, seconds, seconds per km and degrees. */

export const UNITS = ["km", "mi"];
export const UNKNOWN = "–"; /* a distance not known yet (no position) */
export const COMPASS_POINTS = [["N", "north"], ["NE", "northeast"], ["E", "east"], ["SE", "southeast"],
  ["S", "south"], ["SW", "southwest"], ["W", "west"], ["NW", "northwest"]];
const METRES_PER_MILE = 1609.344;
const METRES_PER_FOOT = 0.3048;

const roundHalfUp = (x) => Math.floor(x + 0.5);
const tenths = (n) => `${Math.floor(n / 10)}.${n % 10}`;
const pad = (n) => String(n).padStart(2, "0");

/* "350 m", "1.2 km"; in miles "250 ft" under 0.1 mi, else "0.8 mi". */
export function formatDistance(m, units = "km") {
  if (m === null || m === undefined || !Number.isFinite(m)) return UNKNOWN;
  const length = Math.max(0, m);
  if (units === "mi") {
    if (length / METRES_PER_MILE < 0.1) return `${roundHalfUp(length / METRES_PER_FOOT / 10) * 10} ft`;
    return `${tenths(roundHalfUp(length / METRES_PER_MILE * 10))} mi`;
  }
  const metres = roundHalfUp(length / 10) * 10;
  return metres < 1000 ? `${metres} m` : `${tenths(roundHalfUp(length / 100))} km`;
}

/* "6:00 min/km", or the same pace per mile: "9:39 min/mi". */
export function formatPace(sPerKm, units = "km") {
  const factor = units === "mi" ? METRES_PER_MILE / 1000 : 1;
  const seconds = roundHalfUp(sPerKm * factor);
  return `${Math.floor(seconds / 60)}:${pad(seconds % 60)} min/${units}`;
}

/* "42 min" or "1 h 05 min", to the nearest minute. */
export function formatDuration(s) {
  const minutes = roundHalfUp(Math.max(0, s) / 60);
  const hours = Math.floor(minutes / 60);
  return hours ? `${hours} h ${pad(minutes % 60)} min` : `${minutes} min`;
}

/* A running clock: "4:07", or "1:02:03" past the hour (whole seconds, never rounded up). */
export function formatClock(ms) {
  const s = Math.floor(Math.max(0, ms) / 1000);
  const hms = [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60];
  return hms[0] ? `${hms[0]}:${pad(hms[1])}:${pad(hms[2])}` : `${hms[1]}:${pad(hms[2])}`;
}

const compassIndex = (deg) => Math.floor((((deg % 360) + 360) % 360 + 22.5) / 45) % 8;

/* The nearest of eight compass points: "NE" for 45 degrees (22.5 is already NE). */
export function compassPoint(deg) {
  return COMPASS_POINTS[compassIndex(deg)][0];
}

/* The same point as a word for sentences and screen readers: "northeast". */
export function compassName(deg) {
  return COMPASS_POINTS[compassIndex(deg)][1];
}
