"""QR codes as SVG: how a plan made at a desk gets onto the runner's phone.

The planner shows a QR code of the plan's tour-mode link; the phone's camera opens it. segno
writes the code as a small SVG (one ``<path>``), so it scales to any size and prints sharply.
"""

from __future__ import annotations

import io

import segno

#: Error correction "M" (15 % of the code may be damaged): a screen photographed at an angle,
#: or a print with a crease, still scans; the links here fit it at versions 4 to 8.
ERROR_CORRECTION = "m"
#: Quiet zone in modules, as the QR standard asks: scanners find the code by its white border.
QUIET_ZONE_MODULES = 4


def qr_svg(text: str, *, title: str) -> str:
    """A QR code of ``text`` as a standalone SVG document (black on white, no fixed size).

    Parameters
    ----------
    text
        What the code holds: an absolute URL for a phone to open.
    title
        The SVG's ``<title>``, which screen readers announce for the image.
    """
    code = segno.make(text, error=ERROR_CORRECTION, micro=False)
    out = io.BytesIO()
    code.save(
        out,
        kind="svg",
        scale=1,
        border=QUIET_ZONE_MODULES,
        dark="#000",
        light="#fff",  # a white quiet zone even on a dark page
        xmldecl=False,
        title=title,
        omitsize=True,  # the viewBox alone: the page sets the size
        nl=False,
    )
    return out.getvalue().decode("utf-8")
