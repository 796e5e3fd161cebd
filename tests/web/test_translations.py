"""Two languages, complete (docs/i18n.md): every template's words are marked for translation,
every app's Spanish catalogue translates every message it holds, the compiled catalogue says
what the source says, and the catalogue holds every message the code marks."""

from __future__ import annotations

import gettext
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.template.base import Lexer, TokenType

SRC = Path(__file__).resolve().parents[2] / "src" / "sciaticare"
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]

#: Every app whose pages, mail or messages hold words a person reads.
APPS_WITH_WORDS = sorted(
    app.name
    for app in SRC.iterdir()
    if (app / "apps.py").exists()
    and ((app / "templates").exists() or (app / "locale").exists() or app.name == "core")
)

#: Each language's plural rule, as every catalogue of it must declare: Django's own (one, many
#: for whole millions, other), which makemessages writes.
PLURAL_FORMS = {"es": "nplurals=3; plural=n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2;"}

#: Templates that are not read by a person: the service worker's code.
NOT_READ = {"web/templates/web/sw.js"}

#: Words that are the same in every language: the product's name and codes printed as they are.
SAME_IN_EVERY_LANGUAGE = {"Sciaticare", "FHIR", "iCal", "ICD", "STarT", "Back", "SBT", "ODI", "NRS"}

#: Attributes whose value a person reads or hears.
READ_ATTRIBUTES = {"alt", "title", "placeholder", "aria-label", "aria-description", "content"}

_TRANSLATE_OPEN = re.compile(r"^(blocktranslate|blocktrans)\b")
_TRANSLATE_CLOSE = re.compile(r"^(endblocktranslate|endblocktrans)\b")
_CLASS_BLOCK = re.compile(r"^block \w+_class$")
_LITERAL_IN_FILTER = re.compile(r"\|(?:default|default_if_none|yesno):\"([^\"]*)\"")
_WORD = re.compile(r"[^\W\d_]{2,}")


def _templates() -> list[Path]:
    found = []
    for app in APPS_WITH_WORDS:
        for path in sorted((SRC / app / "templates").rglob("*")):
            if path.is_file() and str(path.relative_to(SRC)) not in NOT_READ:
                found.append(path)
    return found


def _needs_translating(text: str) -> bool:
    words = _WORD.findall(re.sub(r"&[#\w]+;", " ", text))
    return any(w not in SAME_IN_EVERY_LANGUAGE and not (w.isupper() and len(w) <= 4) for w in words)


class _TextFinder(HTMLParser):
    """The text and read attributes of an HTML page whose template tags are blanked out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.found: list[str] = []
        self._in_code = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._in_code += 1
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value and _needs_translating(value):
                if name == "content" and ("name", "description") not in attrs:
                    continue
                self.found.append(f'{name}="{value}"')

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._in_code = max(0, self._in_code - 1)

    def handle_data(self, data: str) -> None:
        if not self._in_code and _needs_translating(data):
            self.found.append(" ".join(data.replace("\x00", " … ").split()))


def unmarked_words(source: str, *, html: bool) -> list[str]:
    """The words in a template that no {% translate %} or {% blocktranslate %} covers."""
    skeleton: list[str] = []
    found: list[str] = []
    in_block = 0
    in_comment = False
    for token in Lexer(source).tokenize():
        content = token.contents
        if token.token_type == TokenType.BLOCK:
            if content.startswith("comment") or _CLASS_BLOCK.match(content):
                in_comment = True  # a note to us, or a block that holds CSS classes
            elif content.startswith(("endcomment", "endblock")) and in_comment:
                in_comment = False
            elif _TRANSLATE_OPEN.match(content):
                in_block += 1
            elif _TRANSLATE_CLOSE.match(content):
                in_block -= 1
            found.extend(v for v in _literals(content) if _needs_translating(v))
            skeleton.append("\x00")
        elif token.token_type == TokenType.VAR:
            found.extend(v for v in _literals(content) if _needs_translating(v))
            skeleton.append("\x00")
        elif token.token_type == TokenType.TEXT and not in_block and not in_comment:
            skeleton.append(content)
    text = "".join(skeleton)
    if html:
        finder = _TextFinder()
        finder.feed(text)
        found.extend(finder.found)
    else:
        found.extend(
            " ".join(line.replace("\x00", " … ").split())
            for line in text.splitlines()
            if _needs_translating(line)
        )
    return found


def _literals(content: str) -> list[str]:
    """Quoted words handed to filters that print them (|default:"None")."""
    return _LITERAL_IN_FILTER.findall(content)


@pytest.mark.parametrize("path", _templates(), ids=lambda p: str(p.relative_to(SRC)))
def test_every_word_in_a_template_is_marked_for_translation(path: Path) -> None:
    words = unmarked_words(path.read_text(), html=path.suffix == ".html")
    assert not words, f"not marked for translation in {path.relative_to(SRC)}: {words}"


def test_the_template_check_finds_what_it_should() -> None:
    page = """{% load i18n %}<h1>Pain diary</h1><p>{% translate "Pain diary" %}</p>
    {% blocktranslate with n=count %}You have {{ n }} entries{% endblocktranslate %}
    <img alt="A body map" src="x.svg"><input placeholder="{% translate 'Search' %}">
    {{ note|default:"Nothing written" }} <span>Sciaticare · 2026</span>
    <script>const words = "not read";</script>{% comment %}A note to us{% endcomment %}
    {% block main_class %}wrap narrow{% endblock %}"""
    assert unmarked_words(page, html=True) == [
        "Nothing written",
        "Pain diary",
        'alt="A body map"',
    ]
    assert unmarked_words("Dear {{ name }},\n{% translate 'Hello' %}\nSee you", html=False) == [
        "Dear … ,",
        "See you",
    ]


def _catalogue(app: str, language: str) -> Path:
    return SRC / app / "locale" / language / "LC_MESSAGES" / "django.po"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("app", APPS_WITH_WORDS)
def test_every_message_is_translated(app: str, language: str) -> None:
    path = _catalogue(app, language)
    assert path.exists(), f"{app} has no {language} catalogue: make messages"
    with path.open("rb") as handle:
        catalogue = read_po(handle)
    untranslated = [
        message.id
        for message in catalogue
        if message.id
        and (
            message.fuzzy
            or not all(message.string if isinstance(message.string, tuple) else (message.string,))
        )
    ]
    assert not untranslated, f"{app}: untranslated or fuzzy in {language}: {untranslated}"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("app", APPS_WITH_WORDS)
def test_every_catalogue_of_a_language_counts_plurals_the_same_way(app: str, language: str) -> None:
    """Django merges the apps' catalogues: one app's plural rule must not differ from another's
    (a catalogue rewritten by another tool may come back with two forms for Spanish)."""
    with _catalogue(app, language).open("rb") as handle:
        assert read_po(handle).plural_forms == PLURAL_FORMS[language]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_message_means_one_thing_across_apps(language: str) -> None:
    """Django merges every app's catalogue into one, so a message two apps translate
    differently would read as whichever app comes first: a word whose translation depends on
    what it is about ("Ready": "Listo" or "Lista") takes a context instead."""
    translations: dict[tuple[str | None, str], dict[str, str]] = {}
    for app in APPS_WITH_WORDS:
        with _catalogue(app, language).open("rb") as handle:
            for message in read_po(handle):
                if message.id and isinstance(message.id, str):
                    translations.setdefault((message.context, message.id), {})[app] = str(
                        message.string
                    )
    differing = {
        key: by_app for key, by_app in translations.items() if len(set(by_app.values())) > 1
    }
    assert not differing


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("app", APPS_WITH_WORDS)
def test_the_compiled_catalogue_says_what_its_source_says(app: str, language: str) -> None:
    source = _catalogue(app, language)
    compiled = source.with_suffix(".mo")
    assert compiled.exists(), f"{app}: {language} catalogue not compiled: make messages"
    with source.open("rb") as handle:
        catalogue = read_po(handle)
    with compiled.open("rb") as handle:
        translations = gettext.GNUTranslations(handle)
    for message in catalogue:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, tuple):
            singular, plural = message.id
            wanted = message.string[0]
            got = (
                translations.npgettext(message.context, singular, plural, 1)
                if message.context
                else translations.ngettext(singular, plural, 1)
            )
        else:
            wanted = message.string
            got = (
                translations.pgettext(message.context, message.id)
                if message.context
                else translations.gettext(message.id)
            )
        assert got == wanted, f"{app}: {compiled.name} is older than its .po: make messages"


@pytest.mark.parametrize("app", APPS_WITH_WORDS)
def test_the_catalogue_holds_every_message_the_code_marks(app: str, tmp_path: Path) -> None:
    if not shutil.which("xgettext"):
        pytest.fail("makemessages needs GNU gettext: apt-get install gettext (make test does)")
    copy = tmp_path / app
    shutil.copytree(SRC / app, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    (copy / "locale").mkdir(exist_ok=True)
    subprocess.run(  # noqa: S603 - our own django-admin, on a copy of our own files
        [
            str(Path(sys.executable).with_name("django-admin")),
            "makemessages",
            "--no-location",
            *_LANGUAGE_FLAGS,
        ],
        cwd=copy,
        check=True,
        capture_output=True,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "sciaticare.settings",
            "PYTHONPATH": str(SRC.parent),
        },
    )
    for language in LANGUAGES:
        with _catalogue(app, language).open("rb") as handle:
            kept = {(m.context, m.id) for m in read_po(handle) if m.id}
        with (copy / "locale" / language / "LC_MESSAGES" / "django.po").open("rb") as handle:
            marked = {(m.context, m.id) for m in read_po(handle) if m.id}
        assert marked <= kept, f"{app}: marked but not in the catalogue: {marked - kept}"


_LANGUAGE_FLAGS = [f"--locale={code}" for code in LANGUAGES]
