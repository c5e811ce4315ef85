"""Draw the app's icons with Pillow: the Art Museum steps at sunrise, in the site's colours.

Run ``python scripts/make_icons.py`` after changing the drawing; the PNGs it writes to
``static/icons/`` are committed, so the app needs no Pillow at run time. The drawing is
ours: a deep-red field, white steps climbing to the right and a gold sun over the top step.

* ``icon-192.png`` / ``icon-512.png``: purpose ``any``, a rounded square on transparency;
* ``icon-maskable-512.png``: purpose ``maskable``, full bleed, the motif inside the central
  80 % circle that every launcher mask keeps;
* ``apple-touch-icon.png``: 180 px, opaque (iOS rounds the corners itself);
* ``favicon-48.png``: the tab icon, small so every first visit stays light.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

ICONS = Path(__file__).resolve().parents[1] / "static" / "icons"
RED = (122, 23, 18, 255)  # --accent in app.css
WHITE = (255, 255, 255, 255)
GOLD = (255, 179, 0, 255)
#: Draw this many times larger, then shrink: smooth edges without an anti-aliasing API.
SUPERSAMPLE = 4


def draw_icon(size: int, *, motif_scale: float, rounded: bool) -> Image.Image:
    """One icon of ``size`` px; ``motif_scale`` is the share of the side the motif spans."""
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if rounded:
        draw.rounded_rectangle([0, 0, big - 1, big - 1], radius=big * 0.18, fill=RED)
    else:
        draw.rectangle([0, 0, big - 1, big - 1], fill=RED)

    span = big * motif_scale
    steps = 5
    step_w = span / steps
    step_h = span * 0.55 / steps
    radius = span * 0.15
    # Steps plus the sun above them, centred as one block.
    motif_h = steps * step_h + radius * 2.9
    left = (big - span) / 2
    bottom = (big + motif_h) / 2
    # The steps: each a white block one step higher than the one before, left to right.
    for i in range(steps):
        x0 = left + i * step_w
        top = bottom - (i + 1) * step_h
        draw.rectangle([x0, top, left + span, bottom], fill=WHITE)
    # The sun over the top step (the montage ends at dawn on the Art Museum steps).
    cx = left + span - step_w * 0.9
    cy = bottom - steps * step_h - radius * 1.9
    draw.ellipse([cx - radius, cy - radius, cx + radius, cy + radius], fill=GOLD)
    return image.resize((size, size), Image.LANCZOS)


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
        image.save(ICONS / name, format="PNG", optimize=True)
        print(f"wrote {ICONS / name} ({image.width}x{image.height})")


if __name__ == "__main__":
    main()
