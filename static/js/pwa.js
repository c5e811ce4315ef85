/* Register the service worker. routes/pwa.py serves sw.js from the site's root, beside the
   manifest, so it controls every page; the root is read from the manifest's address, which
   the page writes with url_for: "/" here, "/run/" for a site served under a path prefix
   (TOURAPP_PUBLIC_URL=https://host/run/). sw.js reads its paths from that scope. */
if ("serviceWorker" in navigator) {
  window.addEventListener("load", () => {
    const manifest = document.querySelector('link[rel="manifest"]');
    const root = new URL(".", manifest ? manifest.href : new URL("/", location.href));
    navigator.serviceWorker.register(new URL("sw.js", root), { scope: root.pathname }).catch((error) => {
      console.warn("Montage Run works online only: the service worker did not register.", error);
    });
  });
}
