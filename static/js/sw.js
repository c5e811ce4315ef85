/* Montage Run service worker. Served as /sw.js after a prelude (see routes/pwa.py) that
   defines VERSION, PRECACHE, OFFLINE_URL and TILE_PATTERN.

   - install: precache the app shell (pages, data, GPX, assets) in a cache named after VERSION;
   - activate: delete every older app cache (the tile cache is kept across releases), but keep
     the scripts and styles the new release changed, one release back (PREVIOUS_CACHE): a page
     still open from the old release (another tab, or an update mid-run) loads its modules on
     demand (finish.js, voice.js) by their old URLs, and must find them offline;
   - pages, API and GPX: network first, the cached copy when the network fails, is slow or
     answers with a server error; only the precached URLs are stored (a page with its own
     query, say ?units=mi, is fetched but not kept, so the cache cannot grow without bound);
   - a plan followed on the phone (/tour/plan?<plan> and its route, /api/plan?<plan>): network
     first as well, and kept after one visit online, at most PLAN_LIMIT answers, oldest dropped
     first (they live in the versioned cache: a new release drops them with the pages they
     link to, and the next visit online keeps them again). A route is kept only when a
     tour-mode page asked for it: the planner asks for a new one at every edit, and a dozen
     edits would otherwise push out the plan a runner opened for the run;
   - the site may live under a path prefix (https://host/run/): every path is read from the
     worker's scope, which the page registers as the site's root;
   - /static and /vendor (content-hashed, immutable): cache first;
   - map tiles: cache first, but only tiles the user has viewed (no prefetching: the OSM tile
     policy forbids it), at most TILE_LIMIT of them, oldest evicted first. */
/* global VERSION, PRECACHE, OFFLINE_URL, TILE_PATTERN */
"use strict";

const PREFIX = "montage-run-";
const SHELL_CACHE = `${PREFIX}${VERSION}`;
/* "-cors": tiles are CORS requests since 0.1; an older cache of opaque tiles is dropped. */
const TILE_CACHE = `${PREFIX}tiles-cors`;
const TILE_LIMIT = 300;
const PREVIOUS_CACHE = `${PREFIX}previous`;
/* On a weak signal, answer from the cache after this long rather than keep a runner waiting. */
const SLOW_NETWORK_MS = 4000;
const TILE_RE = new RegExp(TILE_PATTERN);
const KEPT = new Set(PRECACHE);
/* "/" or "/run/": the site's root, as pwa.js registered it */
const ROOT = new URL(self.registration.scope).pathname;
const TOUR_PLAN = `${ROOT}tour/plan`;
const PLAN_PATHS = [TOUR_PLAN, `${ROOT}api/plan`];
const PLAN_LIMIT = 24; /* about a dozen plans: each is a page and its route */
const isPlan = (url) => PLAN_PATHS.includes(url.pathname) && url.search.length > 1;
const isAsset = (url) => url.pathname.startsWith(`${ROOT}static/`) || url.pathname.startsWith(`${ROOT}vendor/`);

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL_CACHE)
      .then((cache) => cache.addAll(PRECACHE.map((url) => new Request(url, { cache: "reload" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const old = (await caches.keys())
      .filter((name) => name.startsWith(PREFIX) && ![SHELL_CACHE, TILE_CACHE, PREVIOUS_CACHE].includes(name));
    if (old.length) await keepPrevious(old);
    await Promise.all(old.map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

/* The old release's assets that this one no longer has (their URLs carry content hashes),
   in PREVIOUS_CACHE instead of the one from the release before: one release back at most. */
async function keepPrevious(oldNames) {
  const kept = [];
  for (const name of oldNames) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      if (!isAsset(new URL(request.url)) || await caches.match(request, { cacheName: SHELL_CACHE })) continue;
      kept.push([request, await cache.match(request)]);
    }
  }
  await caches.delete(PREVIOUS_CACHE);
  if (!kept.length) return;
  const previous = await caches.open(PREVIOUS_CACHE);
  await Promise.all(kept.map(([request, response]) => previous.put(request, response)));
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET") return;
  if (TILE_RE.test(request.url)) {
    event.respondWith(tile(request));
    return;
  }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (isAsset(url)) {
    event.respondWith(cacheFirst(request));
  } else {
    event.respondWith(networkFirst(request, event.clientId));
  }
});

/* Whether a plan's answer is kept: the tour-mode page itself, or what a tour-mode page asked
   for (its route); not the planner's routes. */
async function keepsPlan(url, clientId) {
  if (url.pathname === TOUR_PLAN) return true;
  const client = clientId ? await self.clients.get(clientId) : null;
  return Boolean(client) && new URL(client.url).pathname === TOUR_PLAN;
}

async function networkFirst(request, clientId) {
  const cache = await caches.open(SHELL_CACHE);
  const url = new URL(request.url);
  const plan = isPlan(url);
  const keeps = plan ? keepsPlan(url, clientId).catch(() => false) : Promise.resolve(KEPT.has(url.pathname + url.search));
  const network = fetch(request).then(async (response) => {
    if (response.ok && await keeps) {
      cache.put(request, response.clone()).then(() => plan && trimPlans(cache)).catch(() => {});
    }
    return response;
  });
  const slow = new Promise((resolve) => setTimeout(resolve, SLOW_NETWORK_MS, "slow"));
  const first = await Promise.race([network.catch(() => "failed"), slow]);
  if (first instanceof Response && first.status < 500) return first;
  const cached = await cache.match(request);
  if (cached) return cached;
  if (first instanceof Response) return first; /* a server error, and no saved copy */
  if (first === "slow") {
    try {
      return await network;
    } catch (error) {
      /* fall through to the offline answer */
    }
  }
  if (request.mode === "navigate") {
    return (await cache.match(OFFLINE_URL)) || Response.error();
  }
  return new Response(
    JSON.stringify({ error: { status: 503, title: "Offline", message: `${new URL(request.url).pathname} is not available offline.` } }),
    { status: 503, headers: { "Content-Type": "application/json" } },
  );
}

async function cacheFirst(request) {
  const cache = await caches.open(SHELL_CACHE);
  const cached = (await cache.match(request)) || (await caches.match(request, { cacheName: PREVIOUS_CACHE }));
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) cache.put(request, response.clone());
  return response;
}

async function tile(request) {
  const cache = await caches.open(TILE_CACHE);
  const cached = await cache.match(request);
  if (cached && cached.type !== "opaque") return cached;
  let response;
  try {
    response = await fetch(request);
  } catch (error) {
    return Response.error(); /* the page shows its "no map background" notice */
  }
  /* Tiles are CORS requests (maps.py sets crossOrigin), so an error answer is never kept. */
  if (response.ok) {
    try {
      await cache.put(request, response.clone());
      trimTiles(cache).catch(() => {});
    } catch (error) {
      /* storage full: show the tile anyway, just do not keep it */
    }
  }
  return response;
}

async function trimPlans(cache) {
  const plans = (await cache.keys()).filter((key) => isPlan(new URL(key.url))); /* oldest first */
  await Promise.all(plans.slice(0, Math.max(0, plans.length - PLAN_LIMIT)).map((key) => cache.delete(key)));
}

async function trimTiles(cache) {
  const keys = await cache.keys(); /* in insertion order: oldest first */
  await Promise.all(keys.slice(0, Math.max(0, keys.length - TILE_LIMIT)).map((key) => cache.delete(key)));
}
