/* The runner's own record of a run: the phone's track (position and time) kept in IndexedDB,
   which survives reloads and works offline, and written out as a GPX 1.1 track with a <time>
   on every point for Strava and the like. Nothing here talks to the network: the file only
   leaves the phone if the runner downloads it. Loaded once a tour starts (tour.js imports it
   on demand). A run is named by the page's progress key. */

const DB_NAME = "montage-run";
const STORE = "track";
/* A new point only after this much movement (m) or time (ms): enough for a map, not a flood. */
const MIN_STEP_M = 5;
const MIN_STEP_MS = 10000;
/* A pause longer than this (ms) between points starts a new track segment. */
const SEGMENT_GAP_MS = 60000;

let opening = null;

function openDb() {
  opening = opening || new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: ["run", "t"] });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  return opening;
}

async function transact(mode, work) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const result = work(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(result.result);
    tx.onerror = () => reject(tx.error);
  });
}

const range = (run) => IDBKeyRange.bound([run, -Infinity], [run, Infinity]);

/* A run's points, oldest first: [{t: epoch ms, lat, lon, accuracy}]. */
export function loadTrack(run) {
  return transact("readonly", (store) => store.getAll(range(run)));
}

export function clearTrack(run) {
  return transact("readwrite", (store) => store.delete(range(run)));
}

/* Keeps a run's track: add() every good fix, it stores those that say something new. */
export class Recorder {
  constructor(run, last = null) {
    this.run = run;
    this.last = last;
  }

  static async open(run) {
    const points = await loadTrack(run);
    return new Recorder(run, points[points.length - 1] || null);
  }

  add(fix, moved) {
    const { last } = this;
    if (last && fix.time - last.t < MIN_STEP_MS && moved(last, fix) < MIN_STEP_M) return Promise.resolve(false);
    const point = { run: this.run, t: fix.time, lat: fix.at[0], lon: fix.at[1], accuracy: fix.accuracy };
    this.last = point;
    return transact("readwrite", (store) => store.put(point)).then(() => true);
  }
}

const escapeXml = (text) => String(text).replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/* The track as GPX 1.1: one <trk>, a new <trkseg> after each long pause, <time> everywhere;
   a waypoint for each stop checked in ({name, at: [lat, lon], t}). */
export function trackGpx({ name, activity, points, checkIns = [] }) {
  const segments = [];
  let previous = null;
  for (const point of points) {
    if (!previous || point.t - previous.t > SEGMENT_GAP_MS) segments.push([]);
    segments[segments.length - 1].push(point);
    previous = point;
  }
  const coords = (lat, lon) => `lat="${lat.toFixed(7)}" lon="${lon.toFixed(7)}"`;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<gpx version="1.1" creator="Montage Run" xmlns="http://www.topografix.com/GPX/1/1">',
    /* no nested template literals: the minifier (rjsmin) does not parse them */
    "<metadata><name>" + escapeXml(name) + "</name>" + (points.length ? "<time>" + iso(points[0].t) + "</time>" : "") + "</metadata>",
    ...checkIns.map((stop) => `<wpt ${coords(...stop.at)}><time>${iso(stop.t)}</time><name>${escapeXml(stop.name)}</name></wpt>`),
    `<trk><name>${escapeXml(name)}</name><type>${escapeXml(activity)}</type>`,
    ...segments.map((segment) => [
      "<trkseg>",
      ...segment.map((p) => `<trkpt ${coords(p.lat, p.lon)}><time>${iso(p.t)}</time></trkpt>`),
      "</trkseg>",
    ].join("\n")),
    "</trk>",
    "</gpx>",
  ];
  return `${lines.join("\n")}\n`;
}

/* Hand the runner a file made on the phone. */
export function download(text, filename, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
