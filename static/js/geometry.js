/* Geometry on the sphere, for a phone: distances, bearings and positions along a route line.
   Points are [lat, lon] in degrees; lengths are metres. Pure functions, no state. */

export const EARTH_RADIUS_M = 6371008.8;

const rad = (deg) => (deg * Math.PI) / 180;

/* Great-circle (haversine) distance between two points, in metres. */
export function distanceM(a, b) {
  const dLat = rad(b[0] - a[0]);
  const dLon = rad(b[1] - a[1]);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a[0])) * Math.cos(rad(b[0])) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/* Initial bearing from a to b, degrees clockwise from north, in [0, 360). */
export function bearingDeg(a, b) {
  const y = Math.sin(rad(b[1] - a[1])) * Math.cos(rad(b[0]));
  const x = Math.cos(rad(a[0])) * Math.sin(rad(b[0])) -
    Math.sin(rad(a[0])) * Math.cos(rad(b[0])) * Math.cos(rad(b[1] - a[1]));
  return ((Math.atan2(y, x) * 180) / Math.PI + 360) % 360;
}

/* Nearest point to p on segment a-b, as the fraction t along it and the gap in metres
   (a local flat projection is fine over one segment of a city route). */
export function nearestOnSegment(p, a, b) {
  const k = Math.cos(rad(p[0]));
  const bx = (b[1] - a[1]) * k;
  const by = b[0] - a[0];
  const px = (p[1] - a[1]) * k;
  const py = p[0] - a[0];
  const len2 = bx * bx + by * by;
  const t = len2 ? Math.max(0, Math.min(1, (px * bx + py * by) / len2)) : 0;
  return { t, gapM: distanceM(p, [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]) };
}

/* A line ready for "how far along": {points, along: metres at each point, lengthM}.
   Given lengthM (the server's geodesic length), the distances are scaled to it so every
   figure on the page agrees with the server's. */
export function measureLine(points, lengthM = null) {
  const along = [0];
  for (let i = 1; i < points.length; i += 1) along.push(along[i - 1] + distanceM(points[i - 1], points[i]));
  const measured = along[along.length - 1] || 1;
  const length = lengthM || measured;
  return { points, along: along.map((m) => (m * length) / measured), lengthM: length };
}

/* Distance along the line of the point nearest p, looking only between fromM and toM
   (so a loop's start and finish, or a street run twice, are not confused). */
export function alongLine(line, p, fromM = 0, toM = Infinity) {
  let best = { along: fromM, gapM: Infinity };
  for (let i = 0; i + 1 < line.points.length; i += 1) {
    if (line.along[i + 1] < fromM || line.along[i] > toM) continue;
    const { t, gapM } = nearestOnSegment(p, line.points[i], line.points[i + 1]);
    if (gapM < best.gapM) best = { along: line.along[i] + t * (line.along[i + 1] - line.along[i]), gapM };
  }
  return Math.max(fromM, Math.min(toM, best.along));
}

/* Where each place ({id, at}) lies along the line, in metres, in the places' order: from the
   legs' lengths ({from, to, length_m}) where a leg names it, else by projection after the
   place before. */
export function placesAlong(line, legs, places) {
  const byLeg = new Map();
  let total = 0;
  legs.forEach((leg, i) => {
    if (i === 0) byLeg.set(leg.from, 0);
    total += leg.length_m;
    if (!byLeg.has(leg.to)) byLeg.set(leg.to, total);
  });
  let from = 0;
  return places.map((place) => {
    from = byLeg.has(place.id) ? (byLeg.get(place.id) * line.lengthM) / (total || line.lengthM) : alongLine(line, place.at, from);
    return from;
  });
}
