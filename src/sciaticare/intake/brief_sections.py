"""Sections that apps above intake add to the therapist's brief, behind a seam: the brief is
intake's page, and the apps with something to add (outcomes: the home exercises beside the
pain diary) sit above intake in the order of apps (docs/architecture.md), so intake may not
import them. Each installs a section from its ``AppConfig.ready()`` with
:func:`use_brief_section`; until then the brief has none.

A section is called with the viewer and the patient of a brief the viewer may read, and
answers its HTML, rendered in the page's language, or "" for nothing. It checks for itself
what the viewer may see of its own data (an intake share opens the brief, not everything).
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.safestring import SafeString

from sciaticare.accounts.models import User

type BriefSection = Callable[[User, User], SafeString]

_sections: list[BriefSection] = []


def use_brief_section(section: BriefSection) -> None:
    """Add a section to every brief (once, however often an app starts)."""
    if section not in _sections:
        _sections.append(section)


def brief_sections(*, viewer: User, patient: User) -> list[SafeString]:
    """The installed sections' HTML for this brief, in the order they were installed."""
    return [html for section in _sections if (html := section(viewer, patient))]
