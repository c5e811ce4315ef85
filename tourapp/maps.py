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
from typing import ClassVar, cast
from urllib.parse import urlsplit

import folium
from branca.element import CssLink, Element, Figure, JavascriptLink, MacroElement
from folium.template import Template

from .geodesy import LatLon
from .geodesy import bounds as corners_of
from .model import Route
from .settings import Settings
from .stops import Stop

#: The route line: the montage red the stylesheet's ``--montage`` marks the montage stops with.
ROUTE_COLOUR = "#b3261e"


@dataclass(frozen=True, kw_only=True)
class MapAssets:
    """URLs of the Leaflet files the app serves itself."""

    leaflet_js: str
    leaflet_css: str


@dataclass(frozen=True, kw_only=True)
class MapParts:
    """A rendered map, split so a page can put each part where it belongs.

    ``css`` goes in ``<head>``; ``html`` where the map should appear; ``js`` (the library's
    ``<script defer src>`` tags) and then ``script`` (the inline code that draws the map,
    without ``<script>`` tags, to run once the deferred library has: on
    ``DOMContentLoaded``) at the end of ``<body>``, so the page paints before Leaflet runs.
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


class Declutter(MacroElement):
    """Keep every visible marker clear of the others, so each is a whole tap target.

    At city zoom the Rocky statue covers the museum steps' marker and the Kensington places
    pile up; overlapping markers are hard to tap and fail the WCAG target-size check. So:

    * below zoom ``NEAR_ZOOM`` the map gets ``map--far`` and markers shrink from 36 to 28 px
      (CSS), which is enough to part the closest montage stops (rail yard and gym);
    * markers are placed in order -- the page's own stop, the montage, then the others --
      and one that would touch a placed marker gets ``is-crowded`` (``display: none``) until
      zooming in parts them; a montage marker gives way only to the page's own stop, never
      to another montage marker. The list beside the map keeps every stop.
    """

    NEAR_ZOOM = 13
    SIZES_PX: ClassVar[dict[str, int]] = {"far": 28, "near": 36}
    GAP_PX = 4

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            var rank = function (el) {
                return el.classList.contains("stop-marker--current") ? 0
                    : el.classList.contains("stop-marker--montage") ? 1 : 2;
            };
            var declutter = function () {
                var far = map.getZoom() < {{ this.NEAR_ZOOM }};
                var reach = (far ? {{ this.SIZES_PX.far }} : {{ this.SIZES_PX.near }}) + {{ this.GAP_PX }};
                var markers = [], placed = [];
                map.getContainer().classList.toggle("map--far", far);
                map.eachLayer(function (layer) {
                    if (layer instanceof L.Marker && layer.getElement()) markers.push(layer);
                });
                markers.sort(function (a, b) { return rank(a.getElement()) - rank(b.getElement()); });
                markers.forEach(function (marker) {
                    var at = map.latLngToLayerPoint(marker.getLatLng());
                    var r = rank(marker.getElement());
                    var crowded = placed.some(function (p) {
                        return (r === 2 || p.rank < r) && p.at.distanceTo(at) < reach;
                    });
                    marker.getElement().classList.toggle("is-crowded", crowded);
                    if (!crowded) placed.push({at: at, rank: r});
                });
            };
            map.on("zoomend", declutter);
            declutter();
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "Declutter"


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
        f"<p>{html.escape(first_sentence(stop.scene))}</p>"
        f'<a class="stop-popup__link" href="{html.escape(url, quote=True)}">'
        f"About this stop<span class=\"visually-hidden\">: {html.escape(stop.name)}</span></a>"
        "</div>"
    )


def first_sentence(text: str, limit: int = 160) -> str:
    """The first sentence of a text, cut at ``limit`` characters: a stop's scene in one line,
    for a popup or the planner's list."""
    end = text.find(". ")
    sentence = text if end == -1 else text[: end + 1]
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"


def new_map(
    *,
    settings: Settings,
    assets: MapAssets,
    location: LatLon,
    zoom_start: int = 14,
    bounds: Sequence[LatLon] | None = None,
    padding: tuple[int, int] = (24, 24),
) -> folium.Map:
    """A folium map with the configured tile layer and the app's local Leaflet.

    The asset lists are assigned on this *instance*: changing ``folium.Map.default_js`` or
    calling ``add_js_link`` would change every map in the process.

    With ``bounds`` the map is framed on them *before* the tile layer is added and without
    animation, so a phone loads only the tiles it shows: fitting afterwards first fetches a
    screenful at ``zoom_start`` and then animates to the new zoom (twice the tiles, and
    seconds of main-thread work that Lighthouse counts against the first paint).
    """
    fmap = folium.Map(
        location=list(location),
        zoom_start=zoom_start,
        tiles=None,
        control_scale=True,
        prefer_canvas=False,
        zoom_control=True,
        # no tile fade-in: on a slow phone each fading tile is a frame of main-thread work
        # while the page should be answering the runner's first tap
        fade_animation=False,
    )
    fmap.default_js = [("leaflet", assets.leaflet_js)]
    fmap.default_css = [("leaflet_css", assets.leaflet_css)]
    if bounds is not None:
        fit = folium.FitBounds(_bounds_of(bounds), padding=padding)
        fit.options["animate"] = False
        fmap.add_child(fit)
    folium.TileLayer(
        tiles=settings.tile_url,
        attr=settings.tile_attribution,
        max_zoom=settings.tile_max_zoom,
        name="Streets",
        control=False,
        # CORS tiles (OSM serves them): the service worker can then see a tile's status and
        # keep only good ones; an opaque answer could be an error page, and costs megabytes
        # of a phone's storage quota each
        cross_origin="anonymous",
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


class PlaceMarker(MacroElement):
    """A place of a planned route: a disc numbered in visiting order, or "S"/"F" for the
    runner's own start and finish. No popup: the cue sheet beside the map says the rest."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            L.marker({{ this.location|tojson }}, {
                icon: L.divIcon({className: {{ this.css_class|tojson }}, html: {{ this.label_html|tojson }},
                                 iconSize: [30, 30], iconAnchor: [15, 15]}),
                title: {{ this.title|tojson }}, alt: {{ this.title|tojson }}, keyboard: false
            }).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, location: LatLon, *, label: str, title: str, kind: str) -> None:
        super().__init__()
        self._name = "PlaceMarker"
        self.location = list(location)
        self.label_html = f"<span>{html.escape(label)}</span>"
        self.title = title
        self.css_class = f"stop-marker stop-marker--route stop-marker--{kind}"


def route_map(route: Route, *, settings: Settings, assets: MapAssets) -> folium.Map:
    """A planned route for paper: framed on it, each leg drawn (dashed when straight), the
    stops numbered in the order they are visited, the runner's own start and finish lettered."""
    south_west, north_east = route.bounds
    fmap = new_map(settings=settings, assets=assets, location=_centre([south_west, north_east]),
                   bounds=[south_west, north_east], padding=(20, 20))
    for leg in route.legs:
        add_line(fmap, leg.points, dashed=not leg.street_following)
    number = 0
    for place in route.places:
        if place.kind == "stop":
            number += 1
            fmap.add_child(PlaceMarker(place.position, label=str(number), kind="stop",
                                       title=f"Stop {number}: {place.name}"))
        else:
            label = "S" if place.kind == "start" else "F"
            fmap.add_child(PlaceMarker(place.position, label=label, kind=place.kind, title=place.name))
    return fmap


def overview_map(
    stops: Sequence[Stop],
    *,
    settings: Settings,
    assets: MapAssets,
    stop_url: Callable[[str], str],
) -> folium.Map:
    """All stops, framed so every one is visible."""
    positions = [(s.lat, s.lon) for s in stops]
    fmap = new_map(settings=settings, assets=assets, location=_centre(positions), zoom_start=13,
                   bounds=positions)
    add_stops(fmap, stops, stop_url=stop_url)
    fmap.add_child(Declutter())
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
    fmap.add_child(Declutter())
    return fmap


def render_parts(fmap: folium.Map, *, map_id: str) -> MapParts:
    """Render a map into :class:`MapParts` with ids derived from ``map_id``.

    folium's page-level header (a viewport meta with ``user-scalable=no``, full-page CSS and
    a charset meta) is dropped: our templates own the document and its accessibility.
    """
    _assign_stable_ids(fmap, map_id)
    figure = cast(Figure, fmap.get_root())
    figure.render()
    header = figure.header._children
    css = "\n".join(
        [_preconnect(fmap)] + [el.render() for el in header.values() if isinstance(el, CssLink)]
    ).lstrip()
    # deferred: Leaflet (42 KB gzip) must not hold up the first paint of the page's text
    js = "\n".join(
        el.render().replace("<script src=", "<script defer src=", 1)
        for el in header.values() if isinstance(el, JavascriptLink)
    )
    return MapParts(
        map_id=fmap.get_name(),
        css=css,
        js=js,
        html=figure.html.render(),
        script=figure.script.render(),
    )


def _preconnect(fmap: folium.Map) -> str:
    """``<link rel="preconnect">`` to the tile server: the largest paint of a map page is a
    tile, and opening the connection while Leaflet downloads saves a round trip or two."""
    origins = []
    for child in fmap._children.values():
        if isinstance(child, folium.TileLayer):
            url = urlsplit(child.tiles)
            if url.scheme in ("http", "https") and "{" not in url.netloc:
                origins.append(f"{url.scheme}://{url.netloc}")
    # crossorigin: the tiles are CORS requests, which do not share a credentialed connection
    return "\n".join(f'<link rel="preconnect" href="{html.escape(o)}" crossorigin>'
                     for o in dict.fromkeys(origins))


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


def _centre(points: Sequence[LatLon]) -> LatLon:
    (south, west), (north, east) = _bounds_of(points)
    return (south + north) / 2, (west + east) / 2


def _bounds_of(points: Sequence[LatLon]) -> list[list[float]]:
    if not points:
        raise ValueError("a map needs at least one point")
    south_west, north_east = corners_of(points)
    return [list(south_west), list(north_east)]
