"""``svg_markers`` and ``svg_dots``: a chart's repeated SVG elements written in one call each.

The same markup as a ``{% for %}`` loop, without its per-item cost: 60 session markers drawn
with a loop were most of the dashboard chart's render time (issue 7). Numbers are written as
``str`` writes them, never localised (SVG needs "12.5", not "12,5").
"""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def svg_markers(markers: Iterable[tuple[float, str]]) -> SafeString:
    """A dashed line across the plot at each session, its label as the tooltip."""
    return format_html_join(
        "",
        '<line class="marker" x1="{}" x2="{}" y1="12" y2="232"><title>{}</title></line>',
        ((x, x, label) for x, label in markers),
    )


@register.filter
def svg_dots(dots: Iterable[tuple[str, float, float, str]]) -> SafeString:
    """A dot at each point of a short line, its value and day as the tooltip."""
    return format_html_join(
        "",
        '<circle class="dot {}" cx="{}" cy="{}" r="3"><title>{}</title></circle>',
        dots,
    )
