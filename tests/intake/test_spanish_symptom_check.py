"""The Spanish symptom check sends every vignette to the same level as the English one
(docs/i18n.md, docs/clinical.md): each vignette is walked through the real form pages, screen by
screen, reading each page as a person would (the questions it asks, the "Sí"/"No" each offers,
the hidden answers it carries) and posting what that page's form sends. The result page then shows
the level's advice in the reader's language."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import translation

from sciaticare.intake import symptom_check
from sciaticare.intake.triage.assessment import assess
from sciaticare.intake.triage.levels import Level
from sciaticare.intake.triage.precautions import PRECAUTIONS
from sciaticare.intake.triage.questions import REQUIRED_CODES
from sciaticare.intake.triage.reasons import REASONS
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

#: Clinical vignettes: a person's answers ("yes" to the codes listed, "no" to every other
#: question), age and weeks since onset, and the level docs/clinical.md gives them.
VIGNETTES: list[tuple[str, dict[str, str], Level]] = [
    # Emergency: cauda equina, each sign alone; pulmonary embolism; cord compression.
    ("saddle numbness", {"saddle_numbness": "yes"}, Level.EMERGENCY),
    ("new bladder trouble", {"bladder_change": "yes"}, Level.EMERGENCY),
    ("new bowel trouble", {"bowel_change": "yes"}, Level.EMERGENCY),
    ("new genital numbness", {"sexual_dysfunction": "yes"}, Level.EMERGENCY),
    ("new symptoms in both legs", {"both_legs": "yes"}, Level.EMERGENCY),
    ("quickly worsening weakness", {"worsening_weakness": "yes"}, Level.EMERGENCY),
    ("chest symptoms", {"chest_symptoms": "yes"}, Level.EMERGENCY),
    (
        "swollen calf with breathlessness",
        {"calf_swelling": "yes", "chest_symptoms": "yes"},
        Level.EMERGENCY,
    ),
    ("cancer with foot drop", {"foot_drop": "yes", "cancer_history": "yes"}, Level.EMERGENCY),
    (
        "cancer with worsening weakness",
        {"worsening_weakness": "yes", "cancer_history": "yes"},
        Level.EMERGENCY,
    ),
    # Urgent: see a doctor today.
    ("swollen calf", {"calf_swelling": "yes", "age": "45", "onset_weeks": "2"}, Level.URGENT),
    ("fever", {"fever": "yes", "age": "40", "onset_weeks": "1"}, Level.URGENT),
    ("infection risk", {"infection_risk": "yes", "age": "33", "onset_weeks": "3"}, Level.URGENT),
    ("foot drop", {"foot_drop": "yes", "age": "52", "onset_weeks": "1"}, Level.URGENT),
    ("after a bad fall", {"major_trauma": "yes", "age": "70", "onset_weeks": "0.5"}, Level.URGENT),
    (
        "cancer with night pain",
        {"cancer_history": "yes", "night_pain": "yes", "age": "60", "onset_weeks": "3"},
        Level.URGENT,
    ),
    (
        "cancer with weight loss",
        {"cancer_history": "yes", "weight_loss": "yes", "age": "58", "onset_weeks": "5"},
        Level.URGENT,
    ),
    # Soon: see a doctor within about two weeks, before massage.
    ("cancer history alone", {"cancer_history": "yes", "age": "49"}, Level.SOON),
    ("weight loss", {"weight_loss": "yes", "age": "44"}, Level.SOON),
    ("night pain", {"night_pain": "yes", "age": "38"}, Level.SOON),
    ("weight loss and night pain", {"weight_loss": "yes", "night_pain": "yes"}, Level.SOON),
    ("osteoporosis", {"osteoporosis_or_steroids": "yes", "age": "67"}, Level.SOON),
    ("first episode at 51", {"first_episode": "yes", "age": "51"}, Level.SOON),
    ("back pain at 15", {"age": "15", "onset_weeks": "2"}, Level.SOON),
    (
        "no improvement after 6 weeks",
        {"not_improving": "yes", "age": "41", "onset_weeks": "6"},
        Level.SOON,
    ),
    (
        "blood thinners and a first episode at 70",
        {"anticoagulants": "yes", "first_episode": "yes", "age": "70"},
        Level.SOON,
    ),
    # Ok: massage is a reasonable option, with or without precautions.
    ("nothing to report", {"age": "35", "onset_weeks": "2"}, Level.OK),
    ("first episode at 50", {"first_episode": "yes", "age": "50"}, Level.OK),
    ("no improvement after 5.5 weeks", {"not_improving": "yes", "onset_weeks": "5.5"}, Level.OK),
    ("pregnant", {"pregnant": "yes", "age": "31"}, Level.OK),
    (
        "every precaution",
        {"anticoagulants": "yes", "recent_surgery": "yes", "skin_problem": "yes"},
        Level.OK,
    ),
]

#: The words a page's yes/no choices are labelled with, by language.
YES_NO = {"en": {"yes": "Yes", "no": "No"}, "es": {"yes": "Sí", "no": "No"}}
NEXT = {"en": "Next", "es": "Siguiente"}

#: Each level's headline on the result page and what the level means (docs/clinical.md,
#: "Triage levels"), in the English the product is written in.
HEADLINES = {
    Level.EMERGENCY: "Emergency: go to an emergency department now",
    Level.URGENT: "See a doctor today",
    Level.SOON: "See a doctor within about two weeks, before massage",
    Level.OK: "Massage is a reasonable option",
}
ADVICE = {
    Level.EMERGENCY: "Go to an emergency department now (or call the emergency number).",
    Level.URGENT: "See a doctor today. No massage until a doctor has seen you.",
    Level.SOON: "See a doctor within about two weeks, before massage.",
    Level.OK: "Massage is a reasonable option.",
}

#: The Spanish the level says (docs/i18n.md): what to do, where to go, how urgently.
SPANISH_ADVICE = {
    Level.EMERGENCY: (
        "Vaya ahora mismo a urgencias de un hospital (o llame al número de emergencias)."
    ),
    Level.URGENT: "Consulte a un médico hoy. Ningún masaje hasta que le haya visto un médico.",
    Level.SOON: "Consulte a un médico en un plazo de unas dos semanas, antes del masaje.",
    Level.OK: "El masaje es una opción razonable.",
}


class _Screen(HTMLParser):
    """One screen of the check as a browser reads it: each question it asks (the legend of its
    yes/no choices, or the label of its number box), the choices with their label text, the
    form's hidden fields and its buttons."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden: dict[str, str] = {}
        self.asked: dict[str, str] = {}  # answer name → the question as read
        self.radios: dict[str, list[tuple[str, str]]] = {}  # name → [(value, label text)]
        self.number_boxes: list[str] = []
        self.buttons: list[tuple[str, str, str]] = []  # (name, value, text)
        self.level: str | None = None
        self._legend: str | None = None  # the question the choices that follow answer
        self._in: str | None = None
        self._label_for: str | None = None
        self._radio: tuple[str, str] | None = None
        self._text: list[str] = []
        self._button: tuple[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        classes = a.get("class", "").split()
        if tag == "section" and "triage" in classes:
            self.level = next(c.removeprefix("triage-") for c in classes if c.startswith("triage-"))
        if tag == "legend" and "question" in classes:
            self._in, self._text = "legend", []
        if tag == "label" and a.get("for", "").startswith("q-"):
            self._in, self._label_for, self._text = "label", a["for"].removeprefix("q-"), []
        if tag == "input" and a.get("type") == "hidden" and a.get("name") != "csrfmiddlewaretoken":
            self.hidden[a["name"]] = a.get("value", "")
        if tag == "input" and a.get("type") == "radio":
            self._radio, self._text = (a["name"], a["value"]), []
            self.asked.setdefault(a["name"], self._legend or "")
        if tag == "input" and a.get("type") == "text":
            self.number_boxes.append(a["name"])
        if tag == "button":
            self._button, self._text = (a.get("name", ""), a.get("value", "")), []

    def handle_endtag(self, tag: str) -> None:
        text = " ".join("".join(self._text).split())
        if tag == "legend" and self._in == "legend":
            self._legend, self._in = text, None
        if tag == "label" and self._in == "label" and self._label_for is not None:
            self.asked[self._label_for], self._in, self._label_for = text, None, None
        if tag == "label" and self._radio is not None:
            name, value = self._radio
            self.radios.setdefault(name, []).append((value, text))
            self._radio = None
        if tag == "button" and self._button is not None:
            self.buttons.append((*self._button, text))
            self._button = None

    def handle_data(self, data: str) -> None:
        self._text.append(data)


def _read(response) -> _Screen:
    screen = _Screen()
    screen.feed(response.content.decode())
    return screen


def _walk(client, answers: dict[str, str], language: str, **headers):
    """Answer each screen the check shows, as its page offers it, until the result page."""
    words = YES_NO[language]
    response = client.get(reverse("check"), **headers)
    for _ in range(len(symptom_check.SCREENS) + 1):
        screen = _read(response)
        if screen.level is not None:
            return response, screen
        shown = symptom_check.SCREENS[int(screen.hidden["step"])]
        # The screen asks its questions, and only those, in the reader's language.
        assert list(screen.asked) == list(shown.steps), (shown.name, language)
        data = dict(screen.hidden)
        for step, question in screen.asked.items():
            asked = symptom_check.QUESTION_TEXT.get(step) or symptom_check.NUMBER_STEPS[step][0]
            with translation.override(language):
                assert question == unescape(translation.gettext(asked)), (step, language)
            if step in ("age", "onset_weeks"):
                assert step in screen.number_boxes
                data[step] = answers.get(step, "30" if step == "age" else "1")
            else:
                # The choice the person would tap: the radio labelled "Sí" or "No".
                wanted = words[answers.get(step, "no")]
                (data[step],) = [v for v, label in screen.radios[step] if label == wanted]
        (go,) = [(n, v) for n, v, text in screen.buttons if text == NEXT[language]]
        data[go[0]] = go[1]
        response = client.post(reverse("check"), data, **headers)
        assert response.status_code == 200, (shown.name, response.status_code)
    raise AssertionError("the check never reached a result")


def _engine_level(answers: dict[str, str]) -> Level:
    yes = {code: answers.get(code) == "yes" for code in REQUIRED_CODES}
    return assess(int(answers.get("age", "30")), float(answers.get("onset_weeks", "1")), yes).level


def test_the_vignettes_cover_every_question_and_every_level():
    asked = {
        code for _, answers, _ in VIGNETTES for code, value in answers.items() if value == "yes"
    }
    assert asked == set(REQUIRED_CODES)
    assert {level for *_, level in VIGNETTES} == set(Level)
    for name, answers, level in VIGNETTES:
        assert _engine_level(answers) is level, name


@pytest.mark.parametrize(("name", "answers", "level"), VIGNETTES, ids=[v[0] for v in VIGNETTES])
def test_the_spanish_check_sends_each_vignette_to_the_same_level_as_the_english(
    client, name, answers, level
):
    english, english_screen = _walk(client, answers, "en", HTTP_ACCEPT_LANGUAGE="en")
    spanish, spanish_screen = _walk(client, answers, "es", HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9")

    assert english["Content-Language"] == "en"
    assert spanish["Content-Language"] == "es"
    assert english_screen.level == spanish_screen.level == level.code

    english_body = unescape(english.content.decode())
    spanish_body = unescape(spanish.content.decode())
    assert HEADLINES[level] in english_body
    assert ADVICE[level] in english_body
    # The Spanish page says the Spanish advice for that level, and no English of it.
    with translation.override("es"):
        spanish_headline = translation.gettext(HEADLINES[level])
    assert spanish_headline != HEADLINES[level]
    assert spanish_headline in spanish_body
    assert SPANISH_ADVICE[level] in spanish_body
    assert ADVICE[level] not in spanish_body
    # Every reason the English result lists (the check may end before the last question,
    # on an emergency) is listed in Spanish, and its English is not.
    listed = [code for code, reason in REASONS.items() if reason.plain in english_body]
    assert bool(listed) is (level is not Level.OK)
    for code in listed:
        with translation.override("es"):
            spanish_reason = translation.gettext(REASONS[code].plain)
        assert spanish_reason != REASONS[code].plain
        assert spanish_reason in spanish_body
        assert REASONS[code].plain not in spanish_body
    # So is every precaution an ok result lists for the massage.
    for precaution in PRECAUTIONS.values():
        if precaution.plain in english_body:
            with translation.override("es"):
                assert translation.gettext(precaution.plain) in spanish_body
            assert precaution.plain not in spanish_body
    if level is Level.EMERGENCY:
        # The red alert leads the page, before the site's header, in Spanish.
        assert spanish_body.index('id="emergency"') < spanish_body.index("<header")
        assert "Vaya ahora mismo a urgencias de un hospital" in spanish_body
        assert "<strong>112</strong></a> (UE)" in spanish_body


def test_a_spanish_speaking_patient_gets_the_spanish_check_whatever_the_browser_asks(client):
    patient = PatientFactory(language="es")
    client.force_login(patient)

    response, screen = _walk(
        client, {"bladder_change": "yes"}, "es", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9"
    )

    assert screen.level == "emergency"
    body = unescape(response.content.decode())
    assert SPANISH_ADVICE[Level.EMERGENCY] in body
    assert "síndrome de la cola de caballo" in body


def test_a_spanish_answer_error_is_in_spanish_and_keeps_the_question(client):
    answered = dict.fromkeys(symptom_check.STEPS, "no")
    response = client.post(
        reverse("check"),
        {**answered, "step": "3", "age": "cuarenta", "onset_weeks": "2", "go": "next"},
        HTTP_ACCEPT_LANGUAGE="es",
    )

    assert response.status_code == 422
    body = unescape(response.content.decode())
    assert "Escriba un número entero." in body
    assert "¿Qué edad tiene?" in body
    assert re.search(r"Paso \d+ de \d+", body)
