"""The fast path (issue 20): from "my sciatica is back" to a booked session, on a phone.

Run:  .venv/bin/python -m bench.fast_path        (--runs N: each on a fresh copy of the demo;
                                                    --show: print every step)

Debian's Chromium (``CHROMIUM``, default /usr/bin/chromium), driven by Playwright's sync API
as a touch phone of 390 × 844 CSS pixels, walks two journeys against the demo (``seed_demo``)
written afresh to ``var/bench/fast_path/db.sqlite3`` and served by gunicorn with production
settings (DEBUG off, 2 sync workers) on a free loopback port; every run starts from a copy of
the freshly written demo, after a few warm-up requests:

(a) **A new patient**, from the home page to a booked session: no account, no intake.
(b) **A flare-up rebooking** from the demo patient's dashboard: a flare-up plan of three
    therapists and an intake three weeks old (the demo's), signed in beforehand.

Each journey is walked by what each page shows, not by a fixed script, because the screens it
crosses change (issue 20): on every page the walker takes the first control of its journey's
``FORWARD`` table (links and buttons by their accessible names) that the page shows; before
pressing a form's button it answers "No" to each radio group in that form (the first choice
where there is no "No"), ticks the form's required boxes, and types into each empty text field
that is required or is the form's only one (values by the field's type, name or label: the
persona's email, password, name, phone, town; an age, weeks since onset, a pain score, a date
three weeks ago). A page that asks to check one's email gets the newest link mailed to the
persona (the console mail backend writes it to the server's log), opened as one tap. A page
with nothing to press stops the walk with what it showed.

What is counted:
- **screens**: every document the browser loads (a redirect's target counts once) and every
  htmx swap in place, the first page included;
- **taps**: each link or button tapped, each radio or box ticked, each choice picked in a
  list, and a tap into each text field before typing in it (a person on a phone taps the field;
  the keyboard's own "next" key is not assumed);
- **keystrokes**: the characters typed, at a fixed pace of ``TYPING_PER_SECOND`` (8) a second
  (125 ms between keys, as Playwright types them); a date counts 8 keys (its digits);
- **seconds**: the product's time plus the typing: from each tap until the next screen has
  loaded (or htmx has settled), the first page's load, and the typing time, which is the
  script's own pace and counts as a person's typing would. What the walker spends finding the
  next control, and a person's reading, are not in it; the wall-clock time of the walk is
  printed beside it;
- **red flags**: the triage question codes each submitted form showed (its visible wording,
  field names and values) and answered. (a) must answer every question whose "yes" gives a
  triage reason (16), (b) every red-flag re-check question (12: the emergency and urgent ones,
  intake/recheck.py); a journey that misses one fails. A code counts as answered where the
  walker ticked its answer (or left its box for "None of these" to answer "no"); "twice" counts
  the codes answered on two forms or more, "confirmed" those a form showed already answered
  (carried over from an earlier screen, for the person to confirm).

Targets (issue 20): (a) ≤ 25 taps and ≤ 120 s, (b) ≤ 6 taps and ≤ 20 s.
"""

from __future__ import annotations

import argparse
import email
import os
import re
import shutil
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import Message
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from playwright.sync_api import Locator, Page, sync_playwright

from bench.booking_contention import PROJECT_DIR, Server, prepare_demo, server_environment
from sciaticare.intake.recheck import CODES as RECHECK_CODES
from sciaticare.intake.triage.questions import QUESTIONS

VAR_DIR = PROJECT_DIR / "var" / "bench" / "fast_path"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
VIEWPORT = {"width": 390, "height": 844}
TIME_ZONE = "Europe/London"  # the demo's city, and the phone's
TYPING_PER_SECOND = 8
DEMO_PATIENT = "patient@example.com"
MAX_STEPS = 120

# Every question whose "yes" gives a triage reason: what a new patient must be asked.
RED_FLAGS_NEW = frozenset(q.code for q in QUESTIONS if q.reason is not None)
RED_FLAGS_RETURNING = RECHECK_CODES
_WORDING = {q.text.rstrip("?"): q.code for q in QUESTIONS}
_CODES = frozenset(q.code for q in QUESTIONS)

# A free time on a therapist's slots page: "12:15 GMT, Sunday 6 December at Didsbury".
SLOT_TIME = re.compile(r"^\s*\d{1,2}[:.]\d{2}\b")

# What moves each journey on, first match wins: (ARIA role, accessible name).
Forward = Sequence[tuple[str, re.Pattern[str]]]
FORWARD_NEW: Forward = (
    ("button", re.compile(r"^Confirm booking$|^Confirm and pay")),
    ("button", re.compile(r"^Confirm this address$")),
    ("button", re.compile(r"None of these apply|^No to all")),
    ("button", re.compile(r"^(Next|Continue)$")),
    (
        "button",
        re.compile(
            r"^(Sign [Uu]p|Sign [Ii]n|Create (my|an|your) account|(Book|Confirm)\b.*account)"
        ),
    ),
    ("button", re.compile(r"^Save my intake$")),
    ("button", re.compile(r"^Book this session$|^Book and pay")),
    ("button", SLOT_TIME),
    ("link", re.compile(r"^Book$|^See free times and book$")),
    ("button", re.compile(r"^Search$")),
    ("link", re.compile(r"^Start the symptom check$")),
    # The check's answer page offers booking first, and the intake before the session.
    ("link", re.compile(r"^Find a therapist and book$")),
    ("link", re.compile(r"^Explain your pain once|^Fill in your intake$")),
    ("link", re.compile(r"^Find a therapist$")),
)
FORWARD_FLARE_UP: Forward = (
    ("button", re.compile(r"^Confirm booking$|^Confirm and pay")),
    ("button", re.compile(r"None of these apply")),
    ("button", re.compile(r"^Book (this session|with your preferred therapist)$")),
    ("link", re.compile(r"^I'm having a flare-up$")),
)
_NONE_OF_THESE = re.compile(r"none of these|nothing has changed|no to all", re.I)
_MAIL_WAIT = re.compile(r"verify|check your (e-?mail|inbox)|we (have )?(sent|e-?mailed)", re.I)
_BOOKED = re.compile(r"/appointments/\d+/$")


@dataclass(frozen=True)
class Persona:
    email: str
    password: str = "walk-daily-and-stretch"  # noqa: S105 - a made-up person's, on a bench demo
    first_name: str = "Ana"
    last_name: str = "Ferreira"
    phone: str = "07400 123456"  # a UK mobile the number library takes (07700 900… is not)
    town: str = "Manchester"
    age: str = "46"
    weeks: str = "3"
    pain: str = "6"


@dataclass
class Tally:
    """What one walk cost, and which triage questions it showed and answered."""

    screens: int = 0
    taps: int = 0
    keystrokes: int = 0
    seconds: float = 0.0
    wall: float = 0.0
    shown: set[str] = field(default_factory=set)
    answered: Counter[str] = field(default_factory=Counter)
    confirmed: set[str] = field(default_factory=set)
    steps: list[str] = field(default_factory=list)

    def missing(self, required: frozenset[str]) -> list[str]:
        return sorted(code for code in required if not self.answered[code])

    def asked_twice(self) -> int:
        return sum(1 for times in self.answered.values() if times > 1)


class Stuck(RuntimeError):
    """The walker found nothing on the page that moves its journey on."""


# Counts htmx swaps, so that a tap that swaps part of the page is waited for like a new page.
_WATCH_SWAPS = """
window.__fastPathSwaps = 0;
document.addEventListener("htmx:afterSettle", () => { window.__fastPathSwaps += 1; });
"""
_NAVIGATES = """el => {
    const form = el.form || el.closest("form");
    const hx = "[hx-get],[hx-post],[data-hx-get],[data-hx-post]";
    return !(el.closest(hx) || (form && form.matches(hx)));
}"""
# What tapping a control does: follows a link or sends a form ("submit"), or acts in place.
_KIND = """el => {
    if (el.tagName === "A") return "link";
    if (el.tagName === "BUTTON" && (el.getAttribute("type") || "submit") === "submit") return "submit";
    if (el.tagName === "INPUT" && ["submit", "image"].includes(el.type)) return "submit";
    return "in place";
}"""
# Each visible radio group of a form: its name, keys (name, values, ids), legend, and whether
# it came answered.
_RADIO_GROUPS = """f => {
    const groups = new Map();
    for (const r of f.querySelectorAll("input[type=radio]")) {
        if (r.offsetParent === null) continue;
        const g = groups.get(r.name) || {name: r.name, keys: [r.name], legend: "", checked: false};
        g.keys.push(r.id);
        g.checked = g.checked || r.checked;
        const set = r.closest("fieldset");
        const legend = set && set.querySelector("legend");
        g.legend = legend ? legend.innerText : "";
        groups.set(r.name, g);
    }
    return [...groups.values()];
}"""
# Each visible checkbox of a form: its keys, label and whether it is ticked.
_BOXES = """f => [...f.querySelectorAll("input[type=checkbox]")]
    .filter(b => b.offsetParent !== null)
    .map(b => ({
        keys: [b.name, b.value, b.id],
        label: b.labels && b.labels.length ? b.labels[0].innerText : "",
        checked: b.checked,
    }))"""
# The names, values and ids of a form's visible fields.
_KEYS = """f => [...f.querySelectorAll("input, select, textarea")]
    .filter(e => e.type !== "hidden" && e.offsetParent !== null)
    .map(e => [e.name, e.value, e.id])"""
_FIELD_FACTS = """el => {
    const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
    return {
        type: (el.getAttribute("type") || el.tagName).toLowerCase(),
        name: el.name || "",
        label: label || el.getAttribute("aria-label") || "",
        inputmode: el.getAttribute("inputmode") || "",
        required: el.required,
        empty: !el.value,
    };
}"""


class Walker:
    def __init__(
        self,
        page: Page,
        base: str,
        persona: Persona,
        forward: Forward,
        *,
        mail_log: Path | None = None,
        show: bool = False,
    ) -> None:
        self.page, self.base, self.persona, self.forward = page, base, persona, forward
        self.mail_log, self.show = mail_log, show
        self.tally = Tally()
        self.opened_links: set[str] = set()
        self.pressed_here: set[str] = set()  # in-place buttons pressed on this screen
        self.answered_here: set[str] = set()  # codes those buttons answered
        page.add_init_script(_WATCH_SWAPS)

    # --- the walk -----------------------------------------------------------------------

    def walk(self, start: str, *, done: Callable[[Page], bool]) -> Tally:
        began = time.perf_counter()
        self._timed(lambda: self.page.goto(self.base + start), navigates=True)
        for _ in range(MAX_STEPS):
            if done(self.page):
                self.tally.wall = time.perf_counter() - began
                return self.tally
            if self._mail_asked():
                self._open_mailed_link()
                continue
            control = self._next_control()
            if control is None:
                raise Stuck(self._describe())
            self._press(control)
        raise Stuck(f"no end after {MAX_STEPS} steps\n{self._describe()}")

    def _next_control(self) -> Locator | None:
        for role, name in self.forward:
            found = self.page.get_by_role(role, name=name).filter(visible=True)  # type: ignore[arg-type]
            if not self.pressed_here:
                if found.count():
                    return found.first
                continue
            for control in found.all():
                if " ".join(control.inner_text().split()) not in self.pressed_here:
                    return control
        return None

    def _press(self, control: Locator) -> None:
        label = " ".join(control.inner_text().split()) or control.get_attribute("value") or ""
        form = control.locator("xpath=ancestor::form[1]")
        kind = control.evaluate(_KIND)
        if kind == "submit" and form.count():
            self._answer(form.first, none_of_these=bool(_NONE_OF_THESE.search(label)))
        self._log(f"tap {label!r} on {self._path()}")
        if kind == "in place":
            # A button that acts on the page itself (a script's "No to all"): pressed once per
            # screen, and counted, with nothing to wait for; the groups it answers count as
            # answered when the form is sent.
            self.pressed_here.add(label)
            self.tally.taps += 1
            before = self._open_groups(form.first) if form.count() else set()
            control.tap()
            if form.count():
                self.answered_here |= before - self._open_groups(form.first)
            return
        self._tap(control, navigates=control.evaluate(_NAVIGATES))

    # --- forms ----------------------------------------------------------------------------

    def _answer(self, form: Locator, *, none_of_these: bool) -> None:
        """Answer what the form asks, then count the triage questions it showed (by wording,
        field names and values), answered (a radio ticked here, or a box left for "None of
        these" to answer "no") and confirmed (a radio that came already answered)."""
        self.tally.shown |= self._codes_in(form)
        answered, self.answered_here = set(self.answered_here), set()
        for group in form.evaluate(_RADIO_GROUPS):
            code = self._code_of(group["keys"], group["legend"])
            if group["checked"]:
                if code and code not in answered:
                    self.tally.confirmed.add(code)
                continue
            if not none_of_these:  # "None of these" answers the groups itself
                radio = form.locator(f'input[type=radio][name="{group["name"]}"]')
                no = radio.and_(form.locator('[value="no" i]'))
                self._log(f"  tick {'No' if no.count() else 'the first'} for {group['name']}")
                (no if no.count() else radio).first.check()
                self.tally.taps += 1
            if code:
                answered.add(code)
        if none_of_these:
            for box in form.evaluate(_BOXES):
                if not box["checked"] and (code := self._code_of(box["keys"], box["label"])):
                    answered.add(code)
        for box in form.locator("input[type=checkbox][required]").filter(visible=True).all():
            if not box.is_checked():
                box.check()
                self.tally.taps += 1
        fields = (
            form.locator(
                "input:not([type]), input[type=text], input[type=email], input[type=password],"
                " input[type=tel], input[type=number], input[type=search], input[type=date],"
                " input[type=url], textarea"
            )
            .filter(visible=True)
            .all()
        )
        for box in fields:
            facts = box.evaluate(_FIELD_FACTS)
            if facts["empty"] and (facts["required"] or len(fields) == 1 or _is_place(facts)):
                self._type_into(box, facts)
        for select in form.locator("select[required]").filter(visible=True).all():
            if not select.input_value():
                values = [v for v in select.locator("option").evaluate_all(
                    "os => os.map(o => o.value)") if v]  # fmt: skip
                select.select_option(values[0])
                self.tally.taps += 2  # open the list, pick
        self.tally.answered.update(answered)

    def _open_groups(self, form: Locator) -> set[str]:
        """The codes of the form's radio groups that have no answer yet."""
        return {
            code
            for group in form.evaluate(_RADIO_GROUPS)
            if not group["checked"] and (code := self._code_of(group["keys"], group["legend"]))
        }

    def _codes_in(self, form: Locator) -> set[str]:
        text = " ".join(form.inner_text().split())
        codes = {code for wording, code in _WORDING.items() if wording in text}
        for keys in form.evaluate(_KEYS):
            codes |= {code for key in keys if (code := _code_in(key))}
        return codes

    @staticmethod
    def _code_of(keys: list[str], words: str) -> str | None:
        """A question's code from its field's name, value or id, or else its wording."""
        for key in keys:
            if code := _code_in(key):
                return code
        text = " ".join(words.split())
        found = [code for wording, code in _WORDING.items() if wording in text]
        return found[0] if len(found) == 1 else None

    def _type_into(self, box: Locator, facts: dict[str, Any]) -> None:
        value = self._value_for(facts)
        self._log(f"  type {value!r} into {facts['label'] or facts['name']!r}")
        box.tap()
        self.tally.taps += 1
        if facts["type"] == "date":
            # A phone's date field takes digits; Chromium's needs the ISO value set.
            box.fill(value)
            typed = 8
            time.sleep(typed / TYPING_PER_SECOND)
            self.tally.seconds += typed / TYPING_PER_SECOND
        else:
            typed = len(value)
            began = time.perf_counter()
            box.press_sequentially(value, delay=1000 / TYPING_PER_SECOND)
            self.tally.seconds += time.perf_counter() - began
        self.tally.keystrokes += typed

    def _value_for(self, facts: dict[str, Any]) -> str:
        p, kind = self.persona, facts["type"]
        words = f"{facts['name']} {facts['label']}".lower()
        if kind == "email" or "email" in words:
            return p.email
        if kind == "password" or "password" in words:
            return p.password
        if kind == "tel" or "phone" in words:
            return p.phone
        if kind == "date":
            today = datetime.now(ZoneInfo(TIME_ZONE)).date()
            return (today - timedelta(weeks=int(p.weeks))).isoformat()
        if _is_place(facts):
            return p.town
        if "last" in words and "name" in words:
            return p.last_name
        if "full" in words or facts["name"] == "name" or words.strip() == "name":
            return f"{p.first_name} {p.last_name}"
        if "name" in words:
            return p.first_name
        if "age" in words.split() or "old" in words:
            return p.age
        if "pain" in words:
            return p.pain
        if "week" in words:
            return p.weeks
        if kind == "number" or facts["inputmode"] in ("numeric", "decimal"):
            return p.pain
        raise Stuck(f"no value for the field {facts!r} on {self._path()}")

    # --- mail -----------------------------------------------------------------------------

    def _mail_asked(self) -> bool:
        heading = " ".join(self.page.locator("h1").all_inner_texts())
        return self.mail_log is not None and bool(_MAIL_WAIT.search(heading))

    def _open_mailed_link(self) -> None:
        assert self.mail_log is not None
        for attempt in range(50):
            links = [
                path
                for path in mailed_links(self.mail_log, self.persona.email)
                if path not in self.opened_links
            ]
            if links:
                break
            time.sleep(0.1 * attempt)
        else:
            raise Stuck(f"no mail to {self.persona.email} in {self.mail_log}")
        path = links[-1]
        self.opened_links.add(path)
        self._log(f"tap the link mailed to {self.persona.email}: {path}")
        self.tally.taps += 1
        self._timed(lambda: self.page.goto(self.base + path), navigates=True)

    # --- taps and their waits ---------------------------------------------------------------

    def _tap(self, control: Locator, *, navigates: bool) -> None:
        self.tally.taps += 1
        self._timed(lambda: control.tap(), navigates=navigates)

    def _timed(self, action: Callable[[], object], *, navigates: bool) -> None:
        began = time.perf_counter()
        if navigates:
            with self.page.expect_navigation(wait_until="load"):
                action()
        else:
            swaps = self.page.evaluate("() => window.__fastPathSwaps || 0")
            action()
            self.page.wait_for_function(f"() => (window.__fastPathSwaps || 0) > {swaps}")
        self.tally.seconds += time.perf_counter() - began
        self.tally.screens += 1
        self.pressed_here.clear()
        self.answered_here.clear()

    # --- reporting --------------------------------------------------------------------------

    def _path(self) -> str:
        return self.page.url.removeprefix(self.base)

    def _log(self, line: str) -> None:
        self.tally.steps.append(line)
        if self.show:
            print("   ", line, flush=True)

    def _describe(self) -> str:
        heading = " | ".join(self.page.locator("h1").all_inner_texts())
        controls = [
            " ".join(text.split())
            for text in self.page.locator("main a, main button")
            .filter(visible=True)
            .all_inner_texts()
        ]
        return f"stuck on {self._path()} ({heading}); it shows: {controls[:30]}"


def _code_in(key: str) -> str | None:
    """The question code a field's name, value or id carries ("q_fever", "yes-fever")."""
    for prefix in ("", "q_", "yes-", "id_q_", "id_"):
        if key.startswith(prefix) and key[len(prefix) :] in _CODES:
            return key[len(prefix) :]
    return None


def _is_place(facts: dict[str, Any]) -> bool:
    return facts["type"] == "search" or facts["name"] in ("place", "where", "q")


def mailed_links(log: Path, to: str) -> list[str]:
    """The site paths in the mails to `to` that the console mail backend wrote to `log`,
    oldest first."""
    paths: list[str] = []
    for chunk in log.read_text(errors="replace").split("-" * 79):
        start = chunk.find("Content-Type:")
        if start < 0 or f"To: {to}" not in chunk:
            continue
        message = email.message_from_string(chunk[start:].strip())
        for part in message.walk() if message.is_multipart() else [message]:
            if part.get_content_type() != "text/plain":
                continue
            body = _decoded(part)
            paths += [p for p in re.findall(r"https?://[^/\s]+(/[^\s<>\"]+)", body) if p != "/"]
    return paths


def _decoded(part: Message) -> str:
    payload = part.get_payload(decode=True)
    return (
        payload.decode(part.get_content_charset() or "utf-8") if isinstance(payload, bytes) else ""
    )


def booked(page: Page) -> bool:
    return bool(_BOOKED.search(page.url)) and page.get_by_text("Booked.", exact=False).count() > 0


# --- the two journeys ------------------------------------------------------------------------


@dataclass(frozen=True)
class Journey:
    label: str
    max_taps: int
    max_seconds: float
    required: frozenset[str]


NEW_PATIENT = Journey("(a) new patient, home → booked", 25, 120.0, RED_FLAGS_NEW)
FLARE_UP = Journey("(b) flare-up, dashboard → booked", 6, 20.0, RED_FLAGS_RETURNING)


def walk_new_patient(
    page: Page, base: str, persona: Persona, mail_log: Path, *, show: bool = False
) -> Tally:
    walker = Walker(page, base, persona, FORWARD_NEW, mail_log=mail_log, show=show)
    return walker.walk("/", done=booked)


def walk_flare_up(page: Page, base: str, *, show: bool = False) -> Tally:
    walker = Walker(page, base, Persona(email=DEMO_PATIENT), FORWARD_FLARE_UP, show=show)
    return walker.walk("/dashboard/", done=booked)


def verdict(journey: Journey, tally: Tally) -> list[str]:
    """What misses the journey's targets (empty: met)."""
    misses = []
    if tally.taps > journey.max_taps:
        misses.append(f"{tally.taps} taps > {journey.max_taps}")
    if tally.seconds > journey.max_seconds:
        misses.append(f"{tally.seconds:.1f} s > {journey.max_seconds:g} s")
    if missing := tally.missing(journey.required):
        misses.append(f"red flags not asked: {', '.join(missing)}")
    return misses


# --- the server, the demo and the phone -----------------------------------------------------


def session_cookie(database_url: str, email_address: str) -> tuple[str, str]:
    """A signed-in session for the demo patient (her sign-in is not part of journey b), made
    with Django set up on the bench database."""
    os.environ.update(server_environment(database_url, VAR_DIR))
    import django

    django.setup()  # once: a second call does nothing
    from django.conf import settings
    from django.db import connections
    from django.test import Client

    from sciaticare.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email=email_address))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    connections.close_all()
    return cookie.key, cookie.value


def phone_context(browser: Any, **options: Any) -> Any:
    """A touch phone's browser context (`options` change any of it)."""
    return browser.new_context(
        **{
            "viewport": VIEWPORT,
            "is_mobile": True,
            "has_touch": True,
            "device_scale_factor": 3,
            "locale": "en-GB",
            "timezone_id": TIME_ZONE,
            "service_workers": "block",
            **options,
        }
    )


def _row(journey: Journey, tally: Tally) -> str:
    misses = verdict(journey, tally)
    flags = (
        f"{len(journey.required) - len(tally.missing(journey.required))}/{len(journey.required)}"
    )
    return (
        f"{journey.label:<34} {tally.screens:>7} {tally.taps:>5} {tally.keystrokes:>5}"
        f" {tally.seconds:>8.1f} {tally.wall:>7.1f} {flags:>9} {tally.asked_twice():>6}"
        f" {len(tally.confirmed):>9}"
        f"  ≤ {journey.max_taps} taps, ≤ {journey.max_seconds:g} s: "
        + ("met" if not misses else "NOT MET (" + "; ".join(misses) + ")")
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="walks of each journey")
    parser.add_argument("--show", action="store_true", help="print every step")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="start from the demo the last run wrote, if there is one (while changing the walker)",
    )
    args = parser.parse_args()
    seeded = VAR_DIR / "seeded.sqlite3"
    database = VAR_DIR / "db.sqlite3"
    database_url = f"sqlite:///{database}"
    if not (args.keep and seeded.exists()):
        if VAR_DIR.exists():
            shutil.rmtree(VAR_DIR)
        VAR_DIR.mkdir(parents=True)
        prepare_demo(database_url, VAR_DIR)
        shutil.copyfile(database, seeded)
    # A session row in the demo every run starts from (Django, in this process, before
    # Playwright's event loop, which Django's ORM refuses to run inside).
    cookie = session_cookie(f"sqlite:///{seeded}", DEMO_PATIENT)
    print(
        f"Chromium {CHROMIUM} at {VIEWPORT['width']}×{VIEWPORT['height']} (touch); gunicorn 2 "
        f"sync workers, SQLite, the demo; typing {TYPING_PER_SECOND} keys/s; "
        f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f}"
    )
    header = (
        f"{'journey':<34} {'screens':>7} {'taps':>5} {'keys':>5} {'seconds':>8} {'wall s':>7}"
        f" {'red flags':>9} {'twice':>6} {'confirmed':>9}  target"
    )
    print(header)
    print("-" * len(header))
    failed = False
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        for _ in range(args.runs):
            shutil.copyfile(seeded, database)
            (VAR_DIR / "gunicorn.log").unlink(missing_ok=True)
            with Server(database_url, VAR_DIR, workers=2, ready_path="/") as server:
                base = f"http://127.0.0.1:{server.port}"
                for path in ("/", "/check/", "/therapists/?place=Manchester", "/accounts/signup/"):
                    server.request("GET", path)  # warm both workers' imports and caches
                context = phone_context(browser)
                persona = Persona(email="ana.ferreira@example.org")  # each run: a fresh demo
                tally_a = walk_new_patient(
                    context.new_page(), base, persona, server.log_path, show=args.show
                )
                context.close()
                context = phone_context(browser)
                context.add_cookies([{"name": cookie[0], "value": cookie[1], "url": base}])
                tally_b = walk_flare_up(context.new_page(), base, show=args.show)
                context.close()
            for journey, tally in ((NEW_PATIENT, tally_a), (FLARE_UP, tally_b)):
                print(_row(journey, tally), flush=True)
                failed |= bool(verdict(journey, tally))
        browser.close()
    print(f"load average after {os.getloadavg()[0]:.2f}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
