/* What a phone's position fixes can be trusted for. Real GPS in a city jumps, blurs and
   drops out: a fix too vague to tell one corner from the next, a single fix a kilometre off,
   a minute with no fix at all. Pure logic on plain values ({at: [lat, lon], accuracy: m,
   time: ms}); the page decides what to show. No DOM, no state outside the objects made here. */
import { distanceM } from "./geometry.js";

/* A fix vaguer than this (metres) never checks a stop in or moves the figures. */
export const MAX_ACCURACY_M = 60;
/* No fix for this long (ms): the position is lost and the figures are stale. */
export const LOST_AFTER_MS = 25000;
/* Faster than this (m/s) is not running or walking: a jump, held until confirmed. */
export const TOP_SPEED_MPS = { run: 10, walk: 5 };
/* Off route: further than this (m) from it, for longer than OFF_ROUTE_MS. */
export const OFF_ROUTE_M = 40;
export const OFF_ROUTE_MS = 15000;

export const isCoarse = (fix) => !(fix.accuracy <= MAX_ACCURACY_M);

/* Whether going from fix a to fix b is possible at topSpeedMps: the gap, less what the two
   fixes' accuracy allows, covered in the time between them (at least a second). */
export function plausible(a, b, topSpeedMps) {
  const gapM = distanceM(a.at, b.at) - a.accuracy - b.accuracy;
  return gapM <= topSpeedMps * Math.max(1, (b.time - a.time) / 1000);
}

/* Jumps: a fix that implies an impossible speed from the last good one is held back until a
   second fix agrees with it (the runner really is there: a tram, a lost fix in a tunnel) or
   with the last good fix (the jump was noise, dropped). */
export class JumpFilter {
  constructor(topSpeedMps) {
    this.topSpeedMps = topSpeedMps;
    this.good = null;
    this.held = null;
  }

  /* {use: the fix to act on or null, held: the fix held back or null}. */
  take(fix) {
    const { good, held } = this;
    if (!good || plausible(good, fix, this.topSpeedMps)) {
      this.good = fix;
      this.held = null;
      return { use: fix, held: null };
    }
    if (held && plausible(held, fix, this.topSpeedMps)) { /* confirmed */
      this.good = fix;
      this.held = null;
      return { use: fix, held: null };
    }
    this.held = fix;
    return { use: null, held: fix };
  }

  reset() {
    this.good = null;
    this.held = null;
  }
}

/* Off route: each good fix says how far it is from the route; the runner is off route once
   every fix for OFF_ROUTE_MS has been further than OFF_ROUTE_M (more, if the fix is vaguer
   than that), and back on it at the first fix within OFF_ROUTE_M. */
export class OffRouteWatch {
  constructor() {
    this.since = null; /* time of the first fix of the current stretch off the route */
    this.gapM = null;
    this.off = false;
  }

  /* Record a fix's gap to the route; returns whether the runner is off route now. */
  update(gapM, accuracyM, timeMs) {
    if (gapM > Math.max(OFF_ROUTE_M, accuracyM)) {
      if (this.since === null) this.since = timeMs;
      this.gapM = gapM;
    } else if (gapM <= OFF_ROUTE_M) {
      this.since = null;
      this.gapM = gapM;
      this.off = false;
    }
    return this.check(timeMs);
  }

  /* Whether the runner is off route at nowMs (time passes without fixes, too). */
  check(nowMs) {
    if (this.since !== null && nowMs - this.since >= OFF_ROUTE_MS) this.off = true;
    return this.off;
  }

  reset() {
    this.since = null;
    this.gapM = null;
    this.off = false;
  }
}
