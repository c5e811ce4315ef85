"""QR codes as SVG (tourapp.qr): what a phone's camera reads off the planner."""

from __future__ import annotations

from lxml import etree
from qr_reader import read_svg_qr

from tourapp.qr import qr_svg

LINK = "https://montage.example/tour/plan?stops=rail-yard,italian-market,moshulu&order=shortest&pace=330"


def test_the_code_holds_the_link_exactly():
    text, title = read_svg_qr(qr_svg(LINK, title="Follow this plan").encode())
    assert text == LINK
    assert title == "Follow this plan"


def test_the_svg_scales_to_any_size_and_keeps_a_white_quiet_zone():
    root = etree.fromstring(qr_svg(LINK, title="t").encode())
    assert root.get("width") is None and root.get("height") is None
    _, _, width, height = (float(v) for v in root.get("viewBox").split())
    assert width == height
    background = root.find("{http://www.w3.org/2000/svg}path[@fill='#fff']")
    assert background is not None and background.get("d") == f"M0 0h{width:g}v{height:g}h-{width:g}z"


def test_a_longer_plan_still_fits_one_code():
    long_link = LINK + "&start=39.952600,-75.165200&end=39.965600,-75.180900" + ",rocky-statue" * 8
    text, _ = read_svg_qr(qr_svg(long_link, title="t").encode())
    assert text == long_link
