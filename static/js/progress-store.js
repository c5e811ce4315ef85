/* A runner's progress, kept on the phone (localStorage) under a key the caller chooses: one
   per tour today (tourProgressKey), one per plan for the planner. Progress is a plain object:
   {checked: [stop ids in the order ticked], finished, startedAt: ISO time or null,
    elapsedMs: time run before the last pause, runningSince: epoch ms or null,
    arrivals: {stop id: {elapsedMs: the clock at check-in, t: epoch ms}}}. No state here. */

const PREFIX = "montage-run:";
const UNITS_KEY = `${PREFIX}units`;
const VOICE_KEY = `${PREFIX}voice`;

/* The key of a run's progress: "tour:<id>" for a tour, "plan:<query>" for a plan of one's own. */
export const progressKey = (name) => `${PREFIX}${name}`;
export const tourProgressKey = (tourId) => progressKey(`tour:${tourId}`);

export function emptyProgress() {
  return { checked: [], finished: false, startedAt: null, elapsedMs: 0, runningSince: null, arrivals: {} };
}

/* The saved progress, or an empty one if there is none or it is corrupt. */
export function loadProgress(key) {
  try {
    const saved = JSON.parse(localStorage.getItem(key));
    if (saved && Array.isArray(saved.checked)) return { ...emptyProgress(), ...saved };
  } catch (error) { /* a corrupt entry reads as none; the next save replaces it */ }
  return emptyProgress();
}

/* Save; false if the browser refuses (storage full or disabled): the page still works. */
export function saveProgress(key, progress) {
  try {
    localStorage.setItem(key, JSON.stringify(progress));
    return true;
  } catch (error) {
    return false;
  }
}

/* Site data blocked (localStorage throws SecurityError): nothing was kept, nothing to erase. */
export function clearProgress(key) {
  try {
    localStorage.removeItem(key);
  } catch (error) { /* nothing kept */ }
}

/* Call onChange(progress) when another tab changes this key; returns a function to stop. */
export function watchProgress(key, onChange) {
  const listener = (event) => {
    if (event.key === key) onChange(loadProgress(key));
  };
  addEventListener("storage", listener);
  return () => removeEventListener("storage", listener);
}

/* Time run so far, in ms: the paused total plus the current stretch if the clock runs. */
export function elapsedMs(progress, nowMs = Date.now()) {
  return progress.elapsedMs + (progress.runningSince ? nowMs - progress.runningSince : 0);
}

/* The runner's choice of units ("km" or "mi"), shared by every page; km when site data is
   blocked (every access to localStorage throws then, and the tour page must still work). */
export function loadUnits() {
  try {
    return localStorage.getItem(UNITS_KEY) === "mi" ? "mi" : "km";
  } catch (error) {
    return "km";
  }
}

export function saveUnits(units) {
  try {
    localStorage.setItem(UNITS_KEY, units);
  } catch (error) { /* not remembered: it still works for this visit */ }
}

/* Spoken guidance: off unless the runner turned it on (remembered on this phone). */
export function loadVoice() {
  try {
    return localStorage.getItem(VOICE_KEY) === "on";
  } catch (error) {
    return false;
  }
}

export function saveVoice(on) {
  try {
    localStorage.setItem(VOICE_KEY, on ? "on" : "off");
  } catch (error) { /* not remembered: it still works for this visit */ }
}
