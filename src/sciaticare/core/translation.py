"""Translation for the pure domain modules, which import no Django (docs/i18n.md).

A pure module marks the words a person reads with these functions, named as gettext names
them so that ``makemessages`` finds them: ``gettext`` and ``ngettext`` translate at call time
(a sentence built while answering a request), ``gettext_noop`` only marks a constant, which the
page or message translates when it shows it (``{% translate question.text %}``).

Django installs its own functions here when the app starts (core.apps); until then, and in a
test of a pure module alone, the words stay English.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


def _identity(message: str) -> str:
    return message


def _plural(singular: str, plural: str, number: int) -> str:
    return singular if number == 1 else plural


def _english() -> str:
    return "en"


@dataclass
class _Seam:
    gettext: Callable[[str], str] = _identity
    ngettext: Callable[[str, str, int], str] = _plural
    get_language: Callable[[], str | None] = _english


_seam = _Seam()


def install(
    *,
    gettext: Callable[[str], str],
    ngettext: Callable[[str, str, int], str],
    get_language: Callable[[], str | None],
) -> None:
    _seam.gettext = gettext
    _seam.ngettext = ngettext
    _seam.get_language = get_language


def gettext(message: str) -> str:
    return _seam.gettext(message)


def ngettext(singular: str, plural: str, number: int) -> str:
    return _seam.ngettext(singular, plural, number)


def gettext_noop(message: str) -> str:
    return message


def language() -> str:
    """The language being answered in: "en", "es"."""
    return (_seam.get_language() or "en").split("-")[0]
