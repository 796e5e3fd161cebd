"""The project's clinical reference is its own: nothing points outside the repository.

Pages, the PDF, mail, questionnaires and code cite ``docs/clinical.md`` or a published source,
never an outside notes file, its section numbers or its unconfirmed-item marks. And
``docs/clinical.md`` names every code the product uses, so the reference and the code agree.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sciaticare.exercises import adherence, response
from sciaticare.exercises.library import LIBRARY, STOP_RULE
from sciaticare.intake import bodymap
from sciaticare.intake.scoring.instruments import INSTRUMENTS
from sciaticare.intake.scoring.rules import ODI_MIN_SECTIONS
from sciaticare.intake.triage.precautions import PRECAUTIONS
from sciaticare.intake.triage.questions import QUESTIONS
from sciaticare.intake.triage.reasons import COMBINATIONS, REASONS

ROOT = Path(__file__).resolve().parent.parent
SCANNED_SUFFIXES = {".py", ".html", ".txt", ".json", ".js", ".css", ".svg", ".md", ".toml"}

# The outside notes files (clinical facts, design, toolchain, style) and the way back out of the
# repository: the project cites its own docs instead.
OUTSIDE = re.compile(r"\b(?:CLINICAL|DESIGN|TOOLCHAIN|STYLE)\.md|\.\./shared|shared/CLINICAL")
# Marks for unconfirmed items: "**verify**", "VERIFY", "(verify)", "licence: verify", "# verify:".
# Ordinary verbs ("verify credentials", the directory:verify route) are not marks.
VERIFY_MARK = re.compile(
    r"\*\*verify\*\*|\bVERIFY\b|\(verify(?:\)|\s)|\bverify\)|:\s+verify\b|^\s*#\s*verify:|'verify'",
    re.MULTILINE,
)
# A section sign is fine after a published standard (RFC 7946 §5.2, 45 CFR §164.312,
# ISO 32000-1 §7.5.2, ITU T.81 §B.1.1.3, HIPAA §164.312); anywhere else it is a section
# number of some notes file.
SECTION = re.compile(r"§")
STANDARD_BEFORE = re.compile(r"(RFC \d+|CFR|HIPAA|ISO [\d-]+|T\.\d+)\s*$")
THIS_FILE = Path(__file__).resolve()


def _scanned_files() -> list[Path]:
    roots = [ROOT / "src", ROOT / "docs", ROOT / "tests", ROOT / "bench", ROOT / ".ci"]
    files = [ROOT / "README.md", ROOT / "pyproject.toml", ROOT / "Makefile"]
    for root in roots:
        files += [
            p
            for p in root.rglob("*")
            if p.is_file() and p.suffix in SCANNED_SUFFIXES and "__pycache__" not in p.parts
        ]
    return sorted(p for p in files if p.exists() and p.resolve() != THIS_FILE)


def _problems(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    found = [f"{m.group(0)!r}" for m in OUTSIDE.finditer(text)]
    found += [f"{m.group(0).strip()!r}" for m in VERIFY_MARK.finditer(text)]
    for m in SECTION.finditer(text):
        before = text[max(0, m.start() - 20) : m.start()]
        if not STANDARD_BEFORE.search(before):
            found.append(repr(text[max(0, m.start() - 20) : m.end() + 3]))
    return found


def test_the_scan_covers_templates_questionnaires_code_and_docs() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in _scanned_files()}
    assert "src/sciaticare/intake/templates/intake/check.html" in names
    assert "src/sciaticare/intake/questionnaires/peg.json" in names
    assert "src/sciaticare/intake/triage/reasons.py" in names
    assert "docs/clinical.md" in names
    assert "README.md" in names


@pytest.mark.parametrize(
    "text",
    [
        "Questions from CLINICAL.md §1.",
        "see ../shared/notes",
        "as DESIGN.md promises",
        "(TOOLCHAIN.md)",
        "Licence: VERIFY before use",
        "LOINC **verify**",
        "(licence: verify)",
        "    # verify: the threshold",
        "Mayo-style lists (verify)",
        "marks it 'verify'",
        "as section §4 says",
    ],
)
def test_the_scanner_finds_each_kind_of_marker(tmp_path: Path, text: str) -> None:
    page = tmp_path / "page.html"
    page.write_text(text, encoding="utf-8")
    assert _problems(page)


@pytest.mark.parametrize(
    "text",
    [
        "services.verify_credential(actor=admin)",
        "{% url 'directory:verify' credential.pk %}",
        "Site admins verify credentials too",
        "HIPAA §164.312(c)(2)",
        "RFC 7946 §5.2",
        "Cite docs/clinical.md",
        "the profile, credential (verify, reject) rows",
    ],
)
def test_the_scanner_leaves_ordinary_words_alone(tmp_path: Path, text: str) -> None:
    page = tmp_path / "page.py"
    page.write_text(text, encoding="utf-8")
    assert _problems(page) == []


def test_nothing_points_outside_the_repository_or_carries_unconfirmed_marks() -> None:
    problems = {
        p.relative_to(ROOT).as_posix(): found for p in _scanned_files() if (found := _problems(p))
    }
    assert problems == {}


# --- docs/clinical.md names everything the product uses -------------------------------------

CLINICAL = ROOT / "docs" / "clinical.md"


def _reference() -> str:
    return CLINICAL.read_text(encoding="utf-8")


def test_the_clinical_reference_exists() -> None:
    assert CLINICAL.is_file()


@pytest.mark.parametrize(
    "code",
    sorted(
        {q.code for q in QUESTIONS}
        | set(REASONS)
        | set(PRECAUTIONS)
        | set(COMBINATIONS)
        | set(INSTRUMENTS)
    ),
)
def test_every_triage_and_instrument_code_is_in_the_reference(code: str) -> None:
    assert f"`{code}`" in _reference()


@pytest.mark.parametrize("area", sorted({r.area for r in bodymap.REGIONS.values()}))
def test_every_body_map_area_is_in_the_reference(area: str) -> None:
    assert f"`{area}`" in _reference()


def test_the_reference_states_the_numbers_the_code_uses() -> None:
    text = _reference()
    assert f"at least {ODI_MIN_SECTIONS} of the 10" in text
    assert "baseline − min(points, percent × baseline)" in text
    assert "30 % (no published threshold)" in text
    for instrument in INSTRUMENTS.values():
        if instrument.loinc:
            assert instrument.loinc in text
    assert "23056005" in text
    assert "387854002" in text


@pytest.mark.parametrize("slug", [e.slug for e in LIBRARY])
def test_every_built_in_exercise_is_in_the_reference(slug: str) -> None:
    assert f"`{slug}`" in _reference()


def test_the_reference_states_the_exercise_rules_the_code_uses() -> None:
    text = " ".join(_reference().split())
    assert STOP_RULE.stop in text
    assert STOP_RULE.red_flags in text
    assert f"at least {adherence.ADHERENT_FROM:.0%}".replace("%", " %") in text
    assert f"`adherence.ADHERENT_FROM = {adherence.ADHERENT_FROM}`" in text
    assert f"at least {response.MIN_DAYS} days (`response.MIN_DAYS`)" in text
    assert f"{response.WORSE_RUN} times in a row (`response.WORSE_RUN`)" in text
