/* Where a runner is along a route line, fix after fix: the route may run along the same
   street twice (out and back, a loop's return), where the nearest piece of line alone
   would freeze or jump the figures. Points are [lat, lon]; lengths are metres; lines are
   geometry.js's measureLine() values. Pure functions, no state. */
import { alongLine, nearestOnSegment } from "./geometry.js";

/* Every piece of the line between fromM and toM that passes within nearM of p, as
   {along, gapM}: one per segment (the nearest point of each). */
function piecesNear(line, p, fromM, toM, nearM) {
  const pieces = [];
  for (let i = 0; i + 1 < line.points.length; i += 1) {
    if (line.along[i + 1] < fromM || line.along[i] > toM) continue;
    const { t, gapM } = nearestOnSegment(p, line.points[i], line.points[i + 1]);
    const along = Math.max(fromM, Math.min(toM, line.along[i] + t * (line.along[i + 1] - line.along[i])));
    if (gapM <= nearM) pieces.push({ along, gapM });
  }
  return pieces;
}

/* How far along the line a runner is who was last at lastM, now at p. Of the pieces within
   nearM of p (or of the nearest, off the route), take the one the runner reaches soonest
   going on from lastM: a small step back (GPS noise) is cheap, a big one dear. Returns
   {along, gapM}; gapM is how far p is from the line between fromM and toM. */
export function followAlong(line, p, lastM, fromM = 0, toM = Infinity, nearM = 30) {
  const last = Math.max(fromM, Math.min(toM, lastM ?? fromM));
  const gapM = offLineM(line, p, fromM, toM);
  const near = piecesNear(line, p, fromM, toM, Math.max(nearM, gapM + 5));
  const cost = ({ along }) => (along >= last - 15 ? Math.abs(along - last) : 15 + (last - 15 - along) * 4);
  const best = near.reduce((a, b) => (cost(b) < cost(a) ? b : a), near[0]);
  return { along: best ? best.along : alongLine(line, p, fromM, toM), gapM };
}

/* How far p is from the line between fromM and toM, in metres. */
export function offLineM(line, p, fromM = 0, toM = Infinity) {
  let gap = Infinity;
  for (let i = 0; i + 1 < line.points.length; i += 1) {
    if (line.along[i + 1] < fromM || line.along[i] > toM) continue;
    gap = Math.min(gap, nearestOnSegment(p, line.points[i], line.points[i + 1]).gapM);
  }
  return gap;
}
