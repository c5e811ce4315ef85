/* The app's JSON API from the browser: fetch, turn error answers into readable errors, and read
   a route's GeoJSON (/api/tours/<id>) into plain values. No state here. */

/* An answer other than 2xx; message is the server's own ("unknown tour 'x'") when it sent one. */
export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.name = "ApiError";
    this.status = status;
  }
}

/* The parsed JSON body; an ApiError for an error answer, a TypeError when offline. */
export async function fetchJSON(url, options = {}) {
  const response = await fetch(url, options);
  if (!response.ok) {
    let message = `HTTP ${response.status}`;
    try {
      message = (await response.json()).error?.message || message;
    } catch (error) { /* not JSON: keep the status */ }
    throw new ApiError(message, response.status);
  }
  return response.json();
}

/* A route's GeoJSON as {points: [[lat, lon]...], lengthM, legs: [{from, to, length_m, cues}...],
   streetFollowing, geojson}. lengthM is null if the server gave none. */
export function routeFromGeoJSON(geojson) {
  const line = geojson.features.find((f) => f.geometry.type === "LineString");
  if (!line) throw new Error("the route has no line");
  return {
    points: line.geometry.coordinates.map(([lon, lat]) => [lat, lon]),
    lengthM: line.properties.length_m || null,
    legs: line.properties.legs || [],
    streetFollowing: line.properties.street_following !== false,
    geojson,
  };
}

export async function fetchRoute(url) {
  return routeFromGeoJSON(await fetchJSON(url));
}
