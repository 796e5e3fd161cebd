"""`{% body_map marked interactive %}`: the body map drawn as SVG, marked regions filled."""

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from sciaticare.intake.bodymap import (
    BETTER_WITH,
    QUALITIES,
    REGIONS,
    WORSE_WITH,
    choice_words,
    region_words,
)
from sciaticare.intake.models import band_words as band_in_words
from sciaticare.intake.scoring.instruments import INSTRUMENTS

register = template.Library()

# (region code, shape, attributes) on a 440×450 canvas: the back view left (the person's left
# on the viewer's left), the front view right (the person's left on the viewer's right). Each
# view is drawn on its own (x 15–185 and 235–405). No region is under 18 units either way: on a
# phone the views are drawn one above the other, at least 1.4 px a unit, so every region is a
# 24 × 24 px target (WCAG 2.2 2.5.8; tests/e2e/test_touch_targets.py).
SHAPES: tuple[tuple[str, str, dict[str, float]], ...] = (
    ("left_lower_back", "rect", {"x": 62, "y": 128, "width": 37, "height": 46, "rx": 6}),
    ("right_lower_back", "rect", {"x": 101, "y": 128, "width": 37, "height": 46, "rx": 6}),
    ("left_buttock", "ellipse", {"cx": 80, "cy": 195, "rx": 20, "ry": 18}),
    ("right_buttock", "ellipse", {"cx": 120, "cy": 195, "rx": 20, "ry": 18}),
    ("left_side_of_thigh", "rect", {"x": 42, "y": 216, "width": 20, "height": 80, "rx": 6}),
    ("right_side_of_thigh", "rect", {"x": 138, "y": 216, "width": 20, "height": 80, "rx": 6}),
    ("left_back_of_thigh", "rect", {"x": 64, "y": 216, "width": 33, "height": 80, "rx": 8}),
    ("right_back_of_thigh", "rect", {"x": 103, "y": 216, "width": 33, "height": 80, "rx": 8}),
    ("left_calf", "rect", {"x": 66, "y": 306, "width": 29, "height": 74, "rx": 10}),
    ("right_calf", "rect", {"x": 105, "y": 306, "width": 29, "height": 74, "rx": 10}),
    ("left_sole_heel", "ellipse", {"cx": 80, "cy": 397, "rx": 16, "ry": 11}),
    ("right_sole_heel", "ellipse", {"cx": 120, "cy": 397, "rx": 16, "ry": 11}),
    ("right_front_of_thigh", "rect", {"x": 282, "y": 216, "width": 36, "height": 80, "rx": 8}),
    ("left_front_of_thigh", "rect", {"x": 342, "y": 216, "width": 36, "height": 80, "rx": 8}),
    ("groin_saddle", "rect", {"x": 316, "y": 186, "width": 28, "height": 26, "rx": 8}),
    ("right_shin", "rect", {"x": 286, "y": 306, "width": 29, "height": 74, "rx": 10}),
    ("left_shin", "rect", {"x": 345, "y": 306, "width": 29, "height": 74, "rx": 10}),
    ("right_top_of_foot", "rect", {"x": 284, "y": 383, "width": 32, "height": 20, "rx": 5}),
    ("left_top_of_foot", "rect", {"x": 344, "y": 383, "width": 32, "height": 20, "rx": 5}),
    ("right_big_toe", "circle", {"cx": 307, "cy": 416, "r": 10}),
    ("right_little_toe", "circle", {"cx": 285, "cy": 416, "r": 10}),
    ("left_big_toe", "circle", {"cx": 353, "cy": 416, "r": 10}),
    ("left_little_toe", "circle", {"cx": 375, "cy": 416, "r": 10}),
)


def _shape(code: str, kind: str, attrs: dict[str, float], *, on: bool) -> SafeString:
    """One region's SVG shape, its name (in the page's language) as its title."""
    classes = "region" + (" on" if on else "") + ("" if REGIONS[code].massage_region else " flag")
    return format_html(
        '<{} class="{}" data-region="{}"{}><title>{}</title></{}>',
        kind,
        classes,
        code,
        format_html_join("", ' {}="{}"', attrs.items()),
        region_words(code),
        kind,
    )


@register.inclusion_tag("intake/_bodymap.html")
def body_map(
    marked: Iterable[str] = (), interactive: bool = False, label: str | None = None
) -> dict[str, Any]:
    """The map in the page's language; ``label`` names it for a screen reader (already
    translated by the page: ``{% translate "Where it hurts" as map_label %}``)."""
    chosen = set(marked)
    shapes = [
        {
            "code": code,
            "kind": kind,
            "attrs": attrs,
            "label": region_words(code),
            "on": code in chosen,
            "flag": not REGIONS[code].massage_region,
            "markup": _shape(code, kind, attrs, on=code in chosen),
            "view": "back" if attrs.get("x", attrs.get("cx", 0)) < 220 else "front",
        }
        for code, kind, attrs in SHAPES
    ]
    return {
        "shapes": shapes,
        "interactive": interactive,
        "label": label if label is not None else gettext("Body map"),
    }


@register.filter
def region_label(code: str) -> str:
    return region_words(code)


_LABELS = {"worse": WORSE_WITH, "better": BETTER_WITH, "qualities": QUALITIES}


@register.filter
def labels(codes: Iterable[str], kind: str) -> str:
    """Stored choice codes in words, e.g. `intake.worse_with|labels:"worse"`."""
    names = _LABELS[kind]
    return ", ".join(choice_words(names, code) for code in codes) or "—"


@register.filter
def instrument_title(code: str) -> str:
    instrument = INSTRUMENTS.get(code)
    return gettext(instrument.title) if instrument else code


@register.filter
def band_words(band: str | None) -> str:
    """A stored questionnaire band in words: `{{ response.band|band_words }}`."""
    return band_in_words(band)
