/* The cue sheet's Print button (a module, so no inline handler is needed). */
document.getElementById("print-cues")?.addEventListener("click", () => window.print());
