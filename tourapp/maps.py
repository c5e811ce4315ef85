"""Leaflet maps of the tour, built with folium and cut into pieces our own pages embed.

folium's defaults pull jQuery, Bootstrap and Font Awesome from CDNs (~298 KB gzip) and set a
viewport that forbids zooming. A phone on a weak signal needs neither, so each map here:

* sets its *own* asset lists to the app's local Leaflet (never the shared class defaults);
* draws stops with a small ``L.divIcon`` marker element whose popup is a plain HTML string,
  so no jQuery is needed (folium's ``Popup`` builds its content with ``$``);
* is rendered into :class:`MapParts` (stylesheets, scripts, the map ``<div>``, the inline
  script) and the page template owns ``<head>`` and the viewport;
* gets deterministic element ids, so the same map renders to the same bytes in every worker
  (stable ETags, cacheable pages).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import folium
from branca.element import CssLink, Element, JavascriptLink, MacroElement
from folium.template import Template

from .settings import Settings
from .stops import Stop

LatLon = tuple[float, float]

#: Where the montage stops' numbered markers and the route line are drawn from.
MONTAGE_COLOUR = "#b3261e"
#: The other Rocky places: a different shape and colour, so the two kinds never get confused.
OTHER_COLOUR = "#1d4f91"
ROUTE_COLOUR = "#b3261e"


@dataclass(frozen=True, kw_only=True)
class MapAssets:
    """URLs of the Leaflet files the app serves itself."""

    leaflet_js: str
    leaflet_css: str


@dataclass(frozen=True, kw_only=True)
class MapParts:
    """A rendered map, split so a page can put each part where it belongs.

    ``css`` goes in ``<head>``; ``html`` where the map should appear; ``js`` (the library
    ``<script src>`` tags) and then ``script`` (the inline code that draws the map, without
    ``<script>`` tags) at the end of ``<body>``, so the page paints before Leaflet runs.
    """

    map_id: str
    css: str
    js: str
    html: str
    script: str


class StopMarker(MacroElement):
    """A stop as an accessible ``L.divIcon`` marker with a plain-HTML popup.

    Montage stops are red discs numbered in film order; other places are blue squares with
    a star, so the two are told apart by shape as well as colour.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.marker(
                {{ this.location|tojson }},
                {
                    icon: L.divIcon({
                        className: {{ this.css_class|tojson }},
                        html: {{ this.label_html|tojson }},
                        iconSize: [36, 36],
                        iconAnchor: [18, 18],
                        popupAnchor: [0, -18]
                    }),
                    title: {{ this.title|tojson }},
                    alt: {{ this.title|tojson }},
                    keyboard: true,
                    riseOnHover: true
                }
            ).bindPopup({{ this.popup_html|tojson }}, {maxWidth: 280, autoPanPadding: [16, 16]})
             .addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, stop: Stop, *, url: str, current: bool = False) -> None:
        super().__init__()
        self._name = "StopMarker"
        self.stop_id = stop.id
        self.location = [stop.lat, stop.lon]
        if stop.montage_order is not None:
            self.css_class = "stop-marker stop-marker--montage"
            self.label_html = f"<span>{stop.montage_order}</span>"
            self.title = f"Stop {stop.montage_order}: {stop.name}"
        else:
            self.css_class = "stop-marker stop-marker--other"
            self.label_html = "<span>&#9733;</span>"
            self.title = f"Other Rocky place: {stop.name}"
        if current:
            self.css_class += " stop-marker--current"
        self.popup_html = stop_popup_html(stop, url=url)


def stop_popup_html(stop: Stop, *, url: str) -> str:
    """The popup: the stop's name, what happens there in the film, and a link to its page."""
    kind = (
        f"Montage stop {stop.montage_order}"
        if stop.montage_order is not None
        else "Other Rocky place"
    )
    return (
        '<div class="stop-popup">'
        f'<p class="stop-popup__kind">{html.escape(kind)}</p>'
        f"<h3>{html.escape(stop.name)}</h3>"
        f"<p>{html.escape(_first_sentence(stop.scene))}</p>"
        f'<a class="stop-popup__link" href="{html.escape(url, quote=True)}">'
        f"About this stop<span class=\"visually-hidden\">: {html.escape(stop.name)}</span></a>"
        "</div>"
    )


def _first_sentence(text: str, limit: int = 160) -> str:
    """The first sentence of a text, cut at ``limit`` characters, for a small popup."""
    end = text.find(". ")
    sentence = text if end == -1 else text[: end + 1]
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"


def new_map(
    *,
    settings: Settings,
    assets: MapAssets,
    location: LatLon,
    zoom_start: int = 14,
) -> folium.Map:
    """A folium map with the configured tile layer and the app's local Leaflet.

    The asset lists are assigned on this *instance*: changing ``folium.Map.default_js`` or
    calling ``add_js_link`` would change every map in the process.
    """
    fmap = folium.Map(
        location=list(location),
        zoom_start=zoom_start,
        tiles=None,
        control_scale=True,
        prefer_canvas=False,
        zoom_control=True,
    )
    fmap.default_js = [("leaflet", assets.leaflet_js)]
    fmap.default_css = [("leaflet_css", assets.leaflet_css)]
    folium.TileLayer(
        tiles=settings.tile_url,
        attr=settings.tile_attribution,
        max_zoom=settings.tile_max_zoom,
        name="Streets",
        control=False,
    ).add_to(fmap)
    return fmap


def add_stops(
    fmap: folium.Map,
    stops: Iterable[Stop],
    *,
    stop_url: Callable[[str], str],
    current: str | None = None,
) -> None:
    """Draw every stop; the ``current`` one (a stop page's own) is highlighted."""
    for stop in stops:
        fmap.add_child(StopMarker(stop, url=stop_url(stop.id), current=stop.id == current))


def add_line(fmap: folium.Map, points: Sequence[LatLon], *, dashed: bool = False) -> None:
    """Draw a route line; a dashed line marks legs that are straight, not street-following."""
    folium.PolyLine(
        locations=[list(p) for p in points],
        color=ROUTE_COLOUR,
        weight=5,
        opacity=0.85,
        dash_array="8 8" if dashed else None,
    ).add_to(fmap)


def overview_map(
    stops: Sequence[Stop],
    *,
    settings: Settings,
    assets: MapAssets,
    stop_url: Callable[[str], str],
) -> folium.Map:
    """All stops, framed so every one is visible."""
    fmap = new_map(settings=settings, assets=assets, location=_centre(stops), zoom_start=13)
    add_stops(fmap, stops, stop_url=stop_url)
    fmap.fit_bounds(_bounds(stops), padding=(24, 24))
    return fmap


def stop_map(
    stop: Stop,
    stops: Sequence[Stop],
    *,
    settings: Settings,
    assets: MapAssets,
    stop_url: Callable[[str], str],
) -> folium.Map:
    """A map centred on one stop, the others still there for context."""
    fmap = new_map(settings=settings, assets=assets, location=(stop.lat, stop.lon), zoom_start=16)
    add_stops(fmap, stops, stop_url=stop_url, current=stop.id)
    return fmap


def render_parts(fmap: folium.Map, *, map_id: str) -> MapParts:
    """Render a map into :class:`MapParts` with ids derived from ``map_id``.

    folium's page-level header (a viewport meta with ``user-scalable=no``, full-page CSS and
    a charset meta) is dropped: our templates own the document and its accessibility.
    """
    _assign_stable_ids(fmap, map_id)
    figure = fmap.get_root()
    figure.render()
    header = figure.header._children
    css = "\n".join(el.render() for el in header.values() if isinstance(el, CssLink))
    js = "\n".join(el.render() for el in header.values() if isinstance(el, JavascriptLink))
    return MapParts(
        map_id=fmap.get_name(),
        css=css,
        js=js,
        html=figure.html.render(),
        script=figure.script.render(),
    )


def _assign_stable_ids(fmap: folium.Map, map_id: str) -> None:
    """Replace folium's random element ids with ``<map_id>_<n>`` in tree order."""
    fmap._id = _js_identifier(map_id)
    for index, element in enumerate(_walk(fmap)):
        element._id = f"{_js_identifier(map_id)}_{index}"


def _walk(element: Element) -> Iterable[Element]:
    for child in element._children.values():
        yield child
        yield from _walk(child)


def _js_identifier(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text)


def _centre(stops: Sequence[Stop]) -> LatLon:
    (south, west), (north, east) = _bounds(stops)
    return (south + north) / 2, (west + east) / 2


def _bounds(stops: Sequence[Stop]) -> list[list[float]]:
    if not stops:
        raise ValueError("a map needs at least one stop")
    lats = [s.lat for s in stops]
    lons = [s.lon for s in stops]
    return [[min(lats), min(lons)], [max(lats), max(lons)]]
