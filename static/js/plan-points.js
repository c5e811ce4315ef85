/* The planner's start and finish tools: a point picked on the map, "my location", or an
   address looked up on the server (/api/geocode, on submit only: no search-as-you-type).
   Loaded by plan-page.js the first time a point of one's own is wanted. When the lookup
   cannot be made (offline, nothing found, the service down) the message says so and the rest
   of the planner carries on. */

import { ApiError, fetchJSON } from "./api.js";

const $ = (id) => document.getElementById(id);

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

/* The buttons and the address form under "At a point of my own", for the start or the finish. */
function addTools(which) {
  const box = $(`${which}-tools`);
  const what = box.dataset.what.toLowerCase();
  const quiet = { type: "button", class: "button button--quiet" };
  box.append(
    el("div", { class: "plan-buttons" },
      el("button", { ...quiet, "data-pick": which, "aria-pressed": "false" }, "Pick on the map"),
      el("button", { ...quiet, "data-locate": which }, "My location")),
    el("form", { class: "plan-address", "data-geocode": which, role: "search", "aria-label": `Find the ${what} by address` },
      el("label", { for: `${which}-address` }, "Address or place"),
      el("span", { class: "plan-address__row" },
        el("input", { id: `${which}-address`, name: "q", type: "text", autocomplete: "off", enterkeyhint: "search", maxlength: "200" }),
        el("button", { type: "submit", class: "button" }, "Find"))),
    el("p", { class: "plan-message", id: `${which}-message`, role: "status", "aria-live": "polite" }));
}

export function wirePoints({ map, ui, setPoint, stopPicking }) {
  const geocodeUrl = $("planner").dataset.geocodeUrl;
  addTools("start");
  addTools("end");

  function startPicking(which) {
    ui.picking = which;
    const notice = $("pick-notice");
    notice.textContent = `Click the map where you want to ${which === "start" ? "start" : "finish"} (Esc to cancel).`;
    notice.hidden = false;
    map.getContainer().classList.add("is-picking");
    for (const button of document.querySelectorAll("[data-pick]")) {
      button.setAttribute("aria-pressed", String(button.dataset.pick === which));
    }
  }

  for (const button of document.querySelectorAll("[data-pick]")) {
    button.addEventListener("click", () => (ui.picking === button.dataset.pick ? stopPicking() : startPicking(button.dataset.pick)));
  }
  map.on("click", (event) => {
    if (ui.picking) setPoint(ui.picking, [event.latlng.lat, event.latlng.lng]);
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && ui.picking) stopPicking();
  });

  for (const button of document.querySelectorAll("[data-locate]")) {
    const which = button.dataset.locate;
    const message = $(`${which}-message`);
    button.addEventListener("click", () => {
      if (!("geolocation" in navigator)) {
        message.textContent = "This browser cannot tell where you are: pick the point on the map instead.";
        return;
      }
      message.textContent = "Finding where you are…";
      navigator.geolocation.getCurrentPosition(
        (position) => setPoint(which, [position.coords.latitude, position.coords.longitude], "your location"),
        (error) => {
          message.textContent = error.code === error.PERMISSION_DENIED
            ? "Location is blocked for this site: allow it, or pick the point on the map."
            : "Your location could not be found: pick the point on the map, or type an address.";
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
      );
    });
  }

  for (const form of document.querySelectorAll("[data-geocode]")) {
    const which = form.dataset.geocode;
    const message = $(`${which}-message`);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const q = form.elements.q.value.trim();
      if (!q) {
        message.textContent = "Type an address or the name of a place first.";
      } else if (!navigator.onLine) {
        message.textContent = "You are offline, so addresses cannot be looked up: pick the point on the map instead.";
      } else {
        message.textContent = "Looking it up…";
        try {
          const found = await fetchJSON(`${geocodeUrl}?q=${encodeURIComponent(q)}`);
          setPoint(which, [found.lat, found.lon], found.name || q);
        } catch (error) {
          message.textContent = error instanceof ApiError
            ? error.message
            : "The address could not be looked up (no connection): pick the point on the map instead.";
        }
      }
    });
  }
}
