"""Issue 13, points 12 (second part) and 21: reading a note writes nothing, and nothing typed
in the note editor is lost.

- Opening a note that has no draft yet (page or API) shows the prefilled draft without saving
  it: no note row, no ``note.create``; the intake read for the prefill is audited once, as a
  read (``note.prefill``). The first save creates the draft.
- A stale editor tab (the note was signed, or saved from another tab, since the page was
  opened) gets a 409 that says so, with the text it sent still in the form.
- The length limits agree: the editor's ``maxlength``, the API (422 naming the field at
  limit + 1, exactly the limit accepted), the model and the database.
"""

import json
import re
from html import unescape
from pathlib import Path

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from sciaticare.audit.models import AuditEvent
from sciaticare.records import services
from sciaticare.records.models import (
    AMENDMENT_REASON_MAX_LENGTH,
    AMENDMENT_TEXT_MAX_LENGTH,
    NOTE_TEXT_MAX_LENGTH,
    Amendment,
    SessionNote,
)
from tests.records.conftest import clinic_world

__all__ = ["clinic_world"]  # the fixture, imported for these tests

pytestmark = pytest.mark.django_db
TYPED = "Typed in the stale tab: hamstring tone eased, client walked out upright"


def _actions(patient) -> list[str]:
    return list(
        AuditEvent.objects.filter(patient=patient, action__startswith="note.")
        .order_by("id")
        .values_list("action", flat=True)
    )


# --- Reads write nothing (point 12) ----------------------------------------------------------


def test_opening_the_note_page_shows_the_prefill_and_saves_nothing(client, clinic_world):
    therapist, patient = clinic_world["people"]["therapist"], clinic_world["people"]["patient"]
    appointment_id = clinic_world["appointment"].pk
    client.force_login(therapist)

    response = client.get(reverse("records:note", args=[appointment_id]))

    assert response.status_code == 200
    assert "From the intake of" in response.content.decode()  # the prefilled account
    assert not SessionNote.objects.filter(appointment_id=appointment_id).exists()
    assert _actions(patient) == ["note.prefill"]  # one read, no draft creation


def test_the_api_get_shows_the_prefill_and_saves_nothing(client, clinic_world):
    therapist, patient = clinic_world["people"]["therapist"], clinic_world["people"]["patient"]
    appointment_id = clinic_world["appointment"].pk
    client.force_login(therapist)
    url = f"/api/v1/appointments/{appointment_id}/note"

    got = client.get(url)

    assert got.status_code == 200
    assert (got.json()["saved"], got.json()["version"]) == (False, "")
    assert got.json()["subjective"].startswith("From the intake of")
    assert not SessionNote.objects.filter(appointment_id=appointment_id).exists()
    assert _actions(patient) == ["note.prefill"]

    put = client.put(url, json.dumps({"plan": "Two more"}), content_type="application/json")

    assert put.status_code == 200
    assert put.json()["saved"] is True
    assert SessionNote.objects.get(appointment_id=appointment_id).plan == "Two more"
    assert _actions(patient) == ["note.prefill", "note.create", "note.update"]


def test_the_first_autosave_creates_the_draft(client, clinic_world):
    therapist = clinic_world["people"]["therapist"]
    appointment_id = clinic_world["appointment"].pk
    client.force_login(therapist)

    response = client.post(
        reverse("records:autosave", args=[appointment_id]),
        {"subjective": TYPED, "adverse_event": "none", "version": ""},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    note = SessionNote.objects.get(appointment_id=appointment_id)
    assert note.subjective == TYPED
    assert f'value="{note.version}"' in response.content.decode()  # the editor's new version
    # A save is audited as the write it is, not also as a read of the note.
    assert _actions(clinic_world["people"]["patient"]) == ["note.create", "note.update"]


# --- A stale tab keeps its text (point 21) ---------------------------------------------------


def _opened_then_signed_elsewhere(client, world) -> tuple[int, str]:
    """The editor is open on a saved draft; then the note is signed from another tab."""
    therapist, appointment_id = world["people"]["therapist"], world["appointment"].pk
    note = services.save_draft(
        therapist_user=therapist, appointment_id=appointment_id, values={"plan": "first"}
    )
    client.force_login(therapist)
    page = client.get(reverse("records:note", args=[appointment_id])).content.decode()
    assert f'value="{note.version}"' in page
    services.sign_note(therapist_user=therapist, appointment_id=appointment_id)
    return appointment_id, note.version


def test_a_stale_tab_autosave_gets_409_with_the_reason_and_keeps_the_editor(client, clinic_world):
    appointment_id, version = _opened_then_signed_elsewhere(client, clinic_world)

    response = client.post(
        reverse("records:autosave", args=[appointment_id]),
        {"subjective": TYPED, "adverse_event": "none", "version": version},
        HTTP_HX_REQUEST="true",
    )

    body = response.content.decode()
    assert response.status_code == 409
    assert "was signed" in body
    assert "Your text is still here" in body
    assert 'id="save-status"' in body  # only the status line is answered...
    assert "<textarea" not in body  # ...the editor and its text stay as they are


def test_a_stale_tab_form_post_gets_the_page_back_with_the_text_typed(client, clinic_world):
    appointment_id, version = _opened_then_signed_elsewhere(client, clinic_world)
    note_url = reverse("records:note", args=[appointment_id])

    response = client.post(
        reverse("records:autosave", args=[appointment_id]),
        {"subjective": TYPED, "adverse_event": "none", "version": version},
        follow=True,
    )

    # Post, redirect, get: the page with the text is the note's address, so a reload resends
    # nothing; it says why (409) and keeps what was typed.
    assert response.redirect_chain == [(note_url, 302)]
    body = unescape(response.content.decode())
    assert response.status_code == 409
    assert "was signed" in body
    assert re.search(r"<textarea[^>]*>\s*" + re.escape(TYPED), body)
    reloaded = client.get(note_url)
    assert reloaded.status_code == 200
    assert TYPED not in unescape(reloaded.content.decode())


def test_opening_the_save_address_goes_to_the_note(client, clinic_world):
    appointment_id = clinic_world["appointment"].pk
    client.force_login(clinic_world["people"]["therapist"])

    answer = client.get(reverse("records:autosave", args=[appointment_id]))

    assert answer.status_code == 302
    assert answer["Location"] == reverse("records:note", args=[appointment_id])


def test_a_save_from_a_tab_opened_before_another_tabs_save_is_refused(client, clinic_world):
    therapist, appointment_id = clinic_world["people"]["therapist"], clinic_world["appointment"].pk
    opened = services.save_draft(
        therapist_user=therapist, appointment_id=appointment_id, values={"plan": "first"}
    )
    services.save_draft(  # the other tab
        therapist_user=therapist,
        appointment_id=appointment_id,
        values={"plan": "newer"},
        based_on=opened.version,
    )
    client.force_login(therapist)

    page = client.post(
        reverse("records:autosave", args=[appointment_id]),
        {"plan": TYPED, "adverse_event": "none", "version": opened.version},
        HTTP_HX_REQUEST="true",
    )
    api = client.put(
        f"/api/v1/appointments/{appointment_id}/note",
        json.dumps({"plan": TYPED, "version": opened.version}),
        content_type="application/json",
    )

    assert page.status_code == 409
    assert "changed in another tab" in page.content.decode()
    assert (api.status_code, api.json()["code"]) == (409, "note_changed")
    assert SessionNote.objects.get(appointment_id=appointment_id).plan == "newer"


def test_the_editor_loads_the_script_that_shows_a_refused_save():
    # htmx swaps no 4xx answer by itself: the editor's script lets 409/422 reach the status line.
    from django.contrib.staticfiles import finders

    script = finders.find("records/note-editor.js")
    assert script is not None
    source = Path(script).read_text(encoding="utf-8")
    assert "htmx:beforeSwap" in source
    assert "409" in source
    assert "shouldSwap = true" in source


# --- One limit everywhere (point 21) ---------------------------------------------------------


def test_the_editor_textareas_carry_the_limits(client, clinic_world):
    client.force_login(clinic_world["people"]["therapist"])

    body = client.get(reverse("records:note", args=[clinic_world["appointment"].pk])).content

    for name in ("subjective", "objective", "assessment", "plan"):
        assert re.search(
            rf'<textarea[^>]*name="{name}"[^>]*maxlength="{NOTE_TEXT_MAX_LENGTH}"'
            rf'|<textarea[^>]*maxlength="{NOTE_TEXT_MAX_LENGTH}"[^>]*name="{name}"',
            body.decode(),
        ), name


def test_the_amendment_form_carries_the_limits(client, clinic_world):
    therapist, appointment_id = clinic_world["people"]["therapist"], clinic_world["appointment"].pk
    services.sign_note(therapist_user=therapist, appointment_id=appointment_id)
    client.force_login(therapist)

    body = client.get(reverse("records:note", args=[appointment_id])).content.decode()

    reason = re.search(r'<input[^>]*id="a-reason"[^>]*>', body)
    text = re.search(r'<textarea[^>]*id="a-text"[^>]*>', body)
    assert reason
    assert f'maxlength="{AMENDMENT_REASON_MAX_LENGTH}"' in reason.group(0)
    assert text
    assert f'maxlength="{AMENDMENT_TEXT_MAX_LENGTH}"' in text.group(0)


@pytest.mark.parametrize("field", ["subjective", "objective", "assessment", "plan"])
def test_the_api_takes_a_note_text_of_exactly_the_limit_and_names_the_field_above(
    client, clinic_world, field
):
    client.force_login(clinic_world["people"]["therapist"])
    url = f"/api/v1/appointments/{clinic_world['appointment'].pk}/note"

    at_limit = client.put(
        url, json.dumps({field: "x" * NOTE_TEXT_MAX_LENGTH}), content_type="application/json"
    )
    over = client.put(
        url, json.dumps({field: "x" * (NOTE_TEXT_MAX_LENGTH + 1)}), content_type="application/json"
    )

    assert at_limit.status_code == 200
    assert over.status_code == 422
    assert [e["field"] for e in over.json()["errors"]] == [field]


@pytest.mark.parametrize(
    ("field", "limit"),
    [("reason", AMENDMENT_REASON_MAX_LENGTH), ("text", AMENDMENT_TEXT_MAX_LENGTH)],
)
def test_the_api_takes_an_amendment_of_exactly_the_limit_and_names_the_field_above(
    client, clinic_world, field, limit
):
    therapist, appointment_id = clinic_world["people"]["therapist"], clinic_world["appointment"].pk
    services.sign_note(therapist_user=therapist, appointment_id=appointment_id)
    client.force_login(therapist)
    url = f"/api/v1/appointments/{appointment_id}/note/amendments"

    def body(size: int) -> str:
        return json.dumps({"reason": "r", "text": "t", field: "x" * size})

    over = client.post(url, body(limit + 1), content_type="application/json")
    at_limit = client.post(url, body(limit), content_type="application/json")

    assert over.status_code == 422
    assert [e["field"] for e in over.json()["errors"]] == [field]
    assert at_limit.status_code == 201
    assert len(getattr(Amendment.objects.get(), field)) == limit  # kept whole, never cut


def test_a_too_long_amendment_on_the_page_is_refused_and_kept(client, clinic_world):
    therapist, appointment_id = clinic_world["people"]["therapist"], clinic_world["appointment"].pk
    services.sign_note(therapist_user=therapist, appointment_id=appointment_id)
    client.force_login(therapist)
    reason = "r" * (AMENDMENT_REASON_MAX_LENGTH + 1)

    response = client.post(
        reverse("records:amend", args=[appointment_id]), {"reason": reason, "text": TYPED}
    )

    body = unescape(response.content.decode())
    assert response.status_code == 422
    assert f"at most {AMENDMENT_REASON_MAX_LENGTH} characters" in body
    assert TYPED in body
    assert reason in body
    assert not Amendment.objects.exists()


def test_the_database_refuses_a_text_over_the_limit(clinic_world):
    therapist, appointment_id = clinic_world["people"]["therapist"], clinic_world["appointment"].pk
    note = services.save_draft(
        therapist_user=therapist, appointment_id=appointment_id, values={"plan": "p"}
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        SessionNote.objects.filter(pk=note.pk).update(plan="x" * (NOTE_TEXT_MAX_LENGTH + 1))
