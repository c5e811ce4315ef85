"""Read a QR code from segno's SVG without the code that wrote it: draw the SVG's path into an
image (Pillow) and decode it with ZXing (``zxing-cpp``), as a phone's camera app would."""

from __future__ import annotations

import re

from lxml import etree

SVG = {"s": "http://www.w3.org/2000/svg"}
#: Pixels per module in the drawn image: plenty for ZXing.
SCALE = 8


def svg_modules(svg: bytes) -> tuple[list[list[bool]], str]:
    """The dark modules of a segno SVG (its path is rows of ``h`` strokes at ``y + 0.5``) and
    the SVG's ``<title>``."""
    root = etree.fromstring(svg)
    title = root.find("s:title", SVG).text
    _, _, width, height = (float(v) for v in root.get("viewBox").split())
    grid = [[False] * int(width) for _ in range(int(height))]
    path = next(p for p in root.findall("s:path", SVG) if p.get("stroke"))  # not the light background
    x = y = 0.0
    for command, numbers in re.findall(r"([A-Za-z])([-\d. ]*)", path.get("d")):
        values = [float(v) for v in numbers.split()]
        if command == "M":
            x, y = values
        elif command == "m":
            x, y = x + values[0], y + values[1]
        elif command == "h":
            for column in range(round(x), round(x + values[0])):
                grid[int(y)][column] = True
            x += values[0]
        else:
            raise AssertionError(f"unexpected path command {command!r} in the QR code's SVG")
    return grid, title


def read_svg_qr(svg: bytes) -> tuple[str, str]:
    """(the text the QR code holds, the SVG's title)."""
    import zxingcpp
    from PIL import Image

    grid, title = svg_modules(svg)
    image = Image.new("L", (len(grid[0]) * SCALE, len(grid) * SCALE), 255)
    for row, cells in enumerate(grid):
        for column, dark in enumerate(cells):
            if dark:
                image.paste(0, (column * SCALE, row * SCALE, (column + 1) * SCALE, (row + 1) * SCALE))
    results = zxingcpp.read_barcodes(image)
    assert len(results) == 1, f"{len(results)} QR codes found"
    return results[0].text, title
