/* Register the service worker (routes/pwa.py serves /sw.js from the root: it controls every page). */
if ("serviceWorker" in navigator) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch((error) => {
      console.warn("Montage Run works online only: the service worker did not register.", error);
    });
  });
}
