"""`{% body_map marked interactive %}`: the body map drawn as SVG, marked regions filled."""

from collections.abc import Iterable
from typing import Any

from django import template

from sciaticare.intake.bodymap import BETTER_WITH, QUALITIES, REGIONS, WORSE_WITH
from sciaticare.intake.scoring.instruments import INSTRUMENTS

register = template.Library()

# (region code, shape, attributes) on a 440×430 canvas: the back view left (the person's left
# on the viewer's left), the front view right (the person's left on the viewer's right).
_SHAPES: tuple[tuple[str, str, dict[str, float]], ...] = (
    ("left_lower_back", "rect", {"x": 62, "y": 128, "width": 37, "height": 46, "rx": 6}),
    ("right_lower_back", "rect", {"x": 101, "y": 128, "width": 37, "height": 46, "rx": 6}),
    ("left_buttock", "ellipse", {"cx": 80, "cy": 195, "rx": 20, "ry": 18}),
    ("right_buttock", "ellipse", {"cx": 120, "cy": 195, "rx": 20, "ry": 18}),
    ("left_side_of_thigh", "rect", {"x": 50, "y": 216, "width": 12, "height": 80, "rx": 5}),
    ("right_side_of_thigh", "rect", {"x": 138, "y": 216, "width": 12, "height": 80, "rx": 5}),
    ("left_back_of_thigh", "rect", {"x": 64, "y": 216, "width": 33, "height": 80, "rx": 8}),
    ("right_back_of_thigh", "rect", {"x": 103, "y": 216, "width": 33, "height": 80, "rx": 8}),
    ("left_calf", "rect", {"x": 66, "y": 306, "width": 29, "height": 74, "rx": 10}),
    ("right_calf", "rect", {"x": 105, "y": 306, "width": 29, "height": 74, "rx": 10}),
    ("left_sole_heel", "ellipse", {"cx": 80, "cy": 396, "rx": 15, "ry": 9}),
    ("right_sole_heel", "ellipse", {"cx": 120, "cy": 396, "rx": 15, "ry": 9}),
    ("right_front_of_thigh", "rect", {"x": 282, "y": 216, "width": 36, "height": 80, "rx": 8}),
    ("left_front_of_thigh", "rect", {"x": 342, "y": 216, "width": 36, "height": 80, "rx": 8}),
    ("groin_saddle", "rect", {"x": 316, "y": 190, "width": 28, "height": 22, "rx": 8}),
    ("right_shin", "rect", {"x": 286, "y": 306, "width": 29, "height": 74, "rx": 10}),
    ("left_shin", "rect", {"x": 345, "y": 306, "width": 29, "height": 74, "rx": 10}),
    ("right_top_of_foot", "rect", {"x": 288, "y": 384, "width": 24, "height": 12, "rx": 4}),
    ("left_top_of_foot", "rect", {"x": 348, "y": 384, "width": 24, "height": 12, "rx": 4}),
    ("right_big_toe", "circle", {"cx": 309, "cy": 404, "r": 6}),
    ("right_little_toe", "circle", {"cx": 289, "cy": 403, "r": 4.5}),
    ("left_big_toe", "circle", {"cx": 351, "cy": 404, "r": 6}),
    ("left_little_toe", "circle", {"cx": 371, "cy": 403, "r": 4.5}),
)


@register.inclusion_tag("intake/_bodymap.html")
def body_map(
    marked: Iterable[str] = (), interactive: bool = False, label: str = "Body map"
) -> dict[str, Any]:
    chosen = set(marked)
    shapes = [
        {
            "code": code,
            "kind": kind,
            "attrs": attrs,
            "label": REGIONS[code].label,
            "on": code in chosen,
            "flag": not REGIONS[code].massage_region,
        }
        for code, kind, attrs in _SHAPES
    ]
    return {"shapes": shapes, "interactive": interactive, "label": label}


@register.filter
def region_label(code: str) -> str:
    region = REGIONS.get(code)
    return region.label if region else code


_LABELS = {"worse": WORSE_WITH, "better": BETTER_WITH, "qualities": QUALITIES}


@register.filter
def labels(codes: Iterable[str], kind: str) -> str:
    """Stored choice codes in words, e.g. `intake.worse_with|labels:"worse"`."""
    names = _LABELS[kind]
    return ", ".join(names.get(code, code) for code in codes) or "—"


@register.filter
def instrument_title(code: str) -> str:
    instrument = INSTRUMENTS.get(code)
    return instrument.title if instrument else code
