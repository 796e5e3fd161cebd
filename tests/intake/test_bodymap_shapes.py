"""The body map's drawing: every region in one of the two views and none smaller than 18 units
either way (drawn at 1.4 px a unit or more on a phone, that is 24 × 24 px: WCAG 2.2 2.5.8;
measured in a browser by tests/e2e/test_touch_targets.py), and no two regions overlapping."""

from sciaticare.intake.bodymap import REGIONS
from sciaticare.intake.templatetags.bodymap import SHAPES, body_map

VIEWS = {"back": (15, 185), "front": (235, 405)}  # the viewBoxes' x ranges; y runs 0–450


def _box(kind: str, a: dict[str, float]) -> tuple[float, float, float, float]:
    if kind == "rect":
        return a["x"], a["y"], a["x"] + a["width"], a["y"] + a["height"]
    rx, ry = (a["r"], a["r"]) if kind == "circle" else (a["rx"], a["ry"])
    return a["cx"] - rx, a["cy"] - ry, a["cx"] + rx, a["cy"] + ry


def test_every_region_is_drawn_once_at_least_18_units_each_way_inside_its_view():
    shapes = body_map(interactive=True)["shapes"]
    assert sorted(s["code"] for s in shapes) == sorted(REGIONS)
    for shape in shapes:
        left, top, right, bottom = _box(shape["kind"], shape["attrs"])
        assert right - left >= 18, shape["code"]
        assert bottom - top >= 18, shape["code"]
        low, high = VIEWS[shape["view"]]
        assert low <= left, shape["code"]
        assert right <= high, shape["code"]
        assert top >= 0, shape["code"]
        assert bottom <= 430, shape["code"]  # the views' labels sit below


def test_no_two_regions_overlap():
    boxes = {code: _box(kind, attrs) for code, kind, attrs in SHAPES}
    overlapping = [
        (a, b)
        for i, (a, p) in enumerate(boxes.items())
        for b, q in list(boxes.items())[i + 1 :]
        if p[0] < q[2] and q[0] < p[2] and p[1] < q[3] and q[1] < p[3]
    ]
    assert overlapping == []
