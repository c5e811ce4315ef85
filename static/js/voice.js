/* Spoken guidance for a runner who cannot look at the phone: the next turn about 100 m before
   it and again at it; the page has its news spoken too (arrivals, off route, the finish). The
   browser's own speech (speechSynthesis) works offline; nothing goes over the network.
   Loaded only once the runner turns voice on (tour.js imports it on demand); `page` is
   tour.js's view of the page. */

/* The first call to a turn, metres before it; and the second, "at it", within this much. */
export const TURN_AHEAD_M = 100;
export const TURN_AT_M = 15;
/* Turns passed by more than this (a jump along the route, a stop ticked by hand) go unsaid. */
const PASSED_M = 30;

export const canSpeak = () => "speechSynthesis" in window && "SpeechSynthesisUtterance" in window;

/* Say a line now, cutting off nothing already queued (lines are short). */
export function speak(text) {
  if (!canSpeak() || !text) return;
  const line = new SpeechSynthesisUtterance(text);
  line.lang = "en-US";
  window.speechSynthesis.speak(line);
}

export function hush() {
  if (canSpeak()) window.speechSynthesis.cancel();
}

/* The route's turns with where they lie along it, in metres of a line lengthM long: each
   leg's cues follow one another by their distances; the first cue of a leg (its start at the
   stop) and its arrival are said by the page, not here. */
export function turnsAlong(legs, lengthM) {
  const total = legs.reduce((sum, leg) => sum + leg.length_m, 0) || lengthM;
  const scale = lengthM / total;
  const turns = [];
  let legStart = 0;
  for (const leg of legs) {
    let along = legStart;
    leg.cues.forEach((cue, i) => {
      if (i > 0 && cue.turn !== "arrive") turns.push({ along: along * scale, instruction: cue.instruction });
      along += cue.distance_m;
    });
    legStart += leg.length_m;
  }
  return turns;
}

const lowerFirst = (text) => text.charAt(0).toLowerCase() + text.slice(1);

/* Which turns to announce as the runner moves along: each at most once ahead and once at it. */
export class TurnCaller {
  constructor(turns) {
    this.turns = turns.map((turn) => ({ ...turn, ahead: false, at: false }));
  }

  /* Lines to say for a runner now alongM along the route; distance(m) writes a distance. */
  update(alongM, distance) {
    const lines = [];
    for (const turn of this.turns) {
      const toGo = turn.along - alongM;
      if (turn.at) continue;
      if (toGo < -PASSED_M) {
        turn.ahead = true;
        turn.at = true;
      } else if (toGo <= TURN_AT_M) {
        turn.ahead = true;
        turn.at = true;
        lines.push(turn.instruction);
      } else if (toGo <= TURN_AHEAD_M && !turn.ahead) {
        turn.ahead = true;
        lines.push(`In ${distance(toGo)}, ${lowerFirst(turn.instruction)}`);
      }
    }
    return lines;
  }
}

/* The route's turns, measured once the route is known (tour.js drops them for a new route
   or a reset); turns already behind the runner stay unsaid. */
function turnCaller(page) {
  const { state } = page;
  if (!state.turns && state.route) {
    state.turns = new TurnCaller(turnsAlong(state.cueLegs, state.route.lengthM));
    if (state.alongM !== null) state.turns.update(state.alongM, page.distance);
  }
  return state.turns;
}

/* Say the turns due for a runner now alongM along the route. */
export function callTurns(page, alongM) {
  const caller = turnCaller(page);
  if (caller) caller.update(alongM, page.distance).forEach(speak);
}

export function turnedOn(page) {
  turnCaller(page);
  if (canSpeak()) speak("Voice guidance on.");
  else page.say("This browser cannot speak: voice guidance is not available.");
}
