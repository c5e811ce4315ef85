"""Draw the app's icons with Pillow: the Art Museum steps at sunrise, in the site's colours.

Run ``python scripts/make_icons.py`` after changing the drawing; the PNGs it writes to
``static/icons/`` are committed, so the app needs no Pillow at run time. The drawing is
ours: a deep-red field, white steps climbing to the right and a gold sun over the top step.

* ``icon-192.png`` / ``icon-512.png``: purpose ``any``, a rounded square on transparency;
* ``icon-maskable-512.png``: purpose ``maskable``, full bleed, the motif inside the central
  80 % circle that every launcher mask keeps;
* ``apple-touch-icon.png``: 180 px, opaque (iOS rounds the corners itself);
* ``favicon.svg``: the tab icon every page links, the same drawing in ~0.4 KB (a PNG of it is
  1.4 KB, on every first visit);
* ``favicon-48.png``: the tab icon for browsers that ask ``/favicon.ico`` instead.

PNGs of 256 colours or fewer are written with an exact palette (lossless, a third smaller).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

ICONS = Path(__file__).resolve().parents[1] / "static" / "icons"
RED = (122, 23, 18, 255)  # --accent in app.css
WHITE = (255, 255, 255, 255)
GOLD = (255, 179, 0, 255)
CORNER_RADIUS = 0.18  # of the side, for the rounded icons
#: Draw this many times larger, then shrink: smooth edges without an anti-aliasing API.
SUPERSAMPLE = 4


@dataclass(frozen=True)
class Motif:
    """Where the steps and the sun go on a square of side ``size`` (any unit)."""

    size: float
    motif_scale: float
    steps: int = 5

    @property
    def step_w(self) -> float:
        return self.size * self.motif_scale / self.steps

    @property
    def step_h(self) -> float:
        return self.size * self.motif_scale * 0.55 / self.steps

    @property
    def radius(self) -> float:
        return self.size * self.motif_scale * 0.15

    @property
    def left(self) -> float:
        return (self.size - self.size * self.motif_scale) / 2

    @property
    def right(self) -> float:
        return self.left + self.size * self.motif_scale

    @property
    def bottom(self) -> float:
        # Steps plus the sun above them, centred as one block.
        return (self.size + self.steps * self.step_h + self.radius * 2.9) / 2

    def step_tops(self) -> list[tuple[float, float]]:
        """(left x, top y) of each step, left to right, each one step higher than the last."""
        return [(self.left + i * self.step_w, self.bottom - (i + 1) * self.step_h) for i in range(self.steps)]

    def sun(self) -> tuple[float, float]:
        """Centre of the sun over the top step (the montage ends at dawn on the museum steps)."""
        return self.right - self.step_w * 0.9, self.bottom - self.steps * self.step_h - self.radius * 1.9


def draw_icon(size: int, *, motif_scale: float, rounded: bool) -> Image.Image:
    """One icon of ``size`` px; ``motif_scale`` is the share of the side the motif spans."""
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if rounded:
        draw.rounded_rectangle([0, 0, big - 1, big - 1], radius=big * CORNER_RADIUS, fill=RED)
    else:
        draw.rectangle([0, 0, big - 1, big - 1], fill=RED)
    motif = Motif(big, motif_scale)
    for x0, top in motif.step_tops():
        draw.rectangle([x0, top, motif.right, motif.bottom], fill=WHITE)
    cx, cy = motif.sun()
    r = motif.radius
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=GOLD)
    return image.resize((size, size), Image.LANCZOS)


def _hex(colour: tuple[int, int, int, int]) -> str:
    return "#" + "".join(f"{c:02x}" for c in colour[:3])


def icon_svg(size: int, *, motif_scale: float) -> str:
    """The rounded icon as SVG on a ``size`` user-unit square: one path for the staircase."""
    m = Motif(size, motif_scale)

    def n(x: float) -> str:
        return f"{x:.1f}".rstrip("0").rstrip(".")

    stairs = f"M{n(m.left)} {n(m.bottom)}"
    for x0, top in m.step_tops():
        stairs += f"V{n(top)}H{n(x0 + m.step_w)}"
    stairs += f"V{n(m.bottom)}Z"
    cx, cy = m.sun()
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}">'
        f'<rect width="{size}" height="{size}" rx="{n(size * CORNER_RADIUS)}" fill="{_hex(RED)}"/>'
        f'<path d="{stairs}" fill="{_hex(WHITE)}"/>'
        f'<circle cx="{n(cx)}" cy="{n(cy)}" r="{n(m.radius)}" fill="{_hex(GOLD)}"/></svg>\n'
    )


def png_bytes(image: Image.Image) -> bytes:
    """The smallest lossless PNG Pillow writes: an exact palette when the image has at most
    256 colours (alpha kept in the palette), else the image's own mode."""
    rgba = image.convert("RGBA")
    colours = rgba.getcolors(256)
    out = io.BytesIO()
    if colours is None:
        image.save(out, format="PNG", optimize=True)
        return out.getvalue()
    # Translucent entries first, so the tRNS chunk stops at the last one of them.
    palette = sorted((c for _, c in colours), key=lambda c: (c[3] == 255, c))
    index = {c: i for i, c in enumerate(palette)}
    indexed = Image.new("P", image.size)
    indexed.putdata([index[px] for px in rgba.get_flattened_data()])
    indexed.putpalette([channel for c in palette for channel in c[:3]])
    alphas = bytes(c[3] for c in palette).rstrip(b"\xff")
    indexed.save(out, format="PNG", optimize=True, **({"transparency": alphas} if alphas else {}))
    return out.getvalue()


def main() -> None:
    ICONS.mkdir(parents=True, exist_ok=True)
    outputs = {
        "icon-192.png": draw_icon(192, motif_scale=0.66, rounded=True),
        "icon-512.png": draw_icon(512, motif_scale=0.66, rounded=True),
        # The maskable safe zone is a circle of 40 % radius: keep the motif well inside it.
        "icon-maskable-512.png": draw_icon(512, motif_scale=0.5, rounded=False),
        "apple-touch-icon.png": draw_icon(180, motif_scale=0.62, rounded=False).convert("RGB"),
        "favicon-48.png": draw_icon(48, motif_scale=0.72, rounded=True),
    }
    for name, image in outputs.items():
        data = png_bytes(image)
        (ICONS / name).write_bytes(data)
        print(f"wrote {ICONS / name} ({image.width}x{image.height}, {len(data):,} B)")
    svg = icon_svg(48, motif_scale=0.72)
    (ICONS / "favicon.svg").write_text(svg)
    print(f"wrote {ICONS / 'favicon.svg'} ({len(svg):,} B)")


if __name__ == "__main__":
    main()
