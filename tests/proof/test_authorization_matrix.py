"""The authorization matrix: every page and API operation × eight callers, declared in ONE table.

The table is checked against the URL configuration and the OpenAPI document, so a new route
fails `test_every_route_is_declared` until someone declares who may use it. Each (row, caller)
is then requested and must answer the declared status; a refused answer, and any answer to a
caller with no claim on a patient, must contain none of that patient's private text (their
name, email, intake, note, amendment, diary or exercise-programme words, from `world.SECRETS`).

Callers are signed in the way the app expects: patients with their password, staff with their
password and then a TOTP code (allauth's two-step login), once per module.

Columns: anonymous, patient, other_patient, therapist, other_therapist, clinic_admin (of the
patient's clinic), other_clinic_admin, site_admin. "The patient" owns every object in a path;
their therapist treats them (appointments, consent) and works at the clinic admin's clinic.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import ROLES
from tests.proof.routes import api_operations, page_routes, path_params
from tests.proof.world import SECRETS, World

REFUSED = frozenset({302, 401, 403, 404, 405})
# Whose private text each caller may ever be shown (when the table allows the request).
ENTITLED = {
    "anonymous": set(),
    "patient": {"patient"},
    "other_patient": {"other_patient"},
    "therapist": {"patient"},
    "other_therapist": {"other_patient"},
    "clinic_admin": {"patient"},
    "other_clinic_admin": {"other_patient"},
    "site_admin": {"patient", "other_patient"},
}
# A page a person opens carries their own name in the header: not a leak.
OWN = {"patient": "patient", "other_patient": "other_patient"}


@dataclass(frozen=True)
class Row:
    """One route and method: how to fill its path (world attributes, "=literal" for a constant),
    an optional body, and the status each caller must get, in `ROLES` order."""

    route: str  # a URL name, or "METHOD /api/v1/path" as in the OpenAPI document
    method: str
    params: dict[str, str]
    expect: tuple[int, ...]
    body: dict[str, Any] | None = field(default=None)
    query: str = ""

    @property
    def is_api(self) -> bool:
        return " " in self.route

    @property
    def id(self) -> str:
        return self.route if self.is_api else f"{self.method} {self.route}"


def R(route: str, method: str, params: dict[str, str], *expect: int, **extra: Any) -> Row:
    assert len(expect) == len(ROLES), route
    return Row(route, method, params, tuple(expect), **extra)


def A(operation: str, params: dict[str, str], *expect: int, **extra: Any) -> Row:
    return R(operation, operation.split(" ", 1)[0], params, *expect, **extra)


NONE: dict[str, str] = {}
PAST = {"appointment_id": "a.past"}  # completed, signed note with an amendment
FUTURE = {"appointment_id": "a.future"}  # booked, four days ahead
THERAPIST = {"therapist_id": "a.therapist"}
PROFILE = {"pk": "a.therapist"}
SESSION = {"session_id": "a.session"}  # the therapist's standard session (has appointments)
PENDING = {"credential_id": "a.pending_credential"}
OFFER = {"offer_id": "a.offer"}
INVOICE = {"invoice_id": "a.invoice"}  # the past session's, paid in cash (a US clinic)
FEE = {"invoice_id": "a.fee"}  # a missed session's fee, owed
PAYMENT = {"payment_id": "a.payment"}  # the cash payment of the session's invoice
CLINIC = {"clinic_id": "a.clinic"}
DEPOSIT = {"payment_id": "a.deposit"}  # the future session's deposit, paid
PLAN = {"plan_id": "a.plan"}  # the therapist's home programme for the patient
OWN_PLAN = {"plan_id": "a.own_plan"}  # one the patient entered from their physio's
OWN_EXERCISE = {"clinic_id": "a.clinic", "exercise_id": "a.own_exercise"}  # the clinic's own
WEBHOOK = {"clinic_id": "a.clinic", "endpoint_id": "a.webhook"}  # the clinic's endpoint
WEBHOOK_DELIVERY = {**WEBHOOK, "delivery_id": "a.webhook_delivery"}  # a test event, queued
IMPORT = {"clinic_id": "a.clinic", "run_id": "a.import_run"}  # a patients file, not imported

# fmt: off
TABLE: list[Row] = [
    #  route                          method  path      anon  pat  opat ther oth  cadm ocad site
    R("web:home",                     "GET",  NONE,     200, 200, 200, 200, 200, 200, 200, 200),
    R("web:dashboard",                "GET",  NONE,     302, 200, 200, 200, 200, 200, 200, 200),
    R("check",                        "GET",  NONE,     200, 200, 200, 200, 200, 200, 200, 200),
    R("check",                        "POST", NONE,     422, 422, 422, 422, 422, 422, 422, 422),
    R("check_emergency",              "GET",  NONE,     200, 200, 200, 200, 200, 200, 200, 200),
    # The installable app (docs/offline.md): public, nobody's data.
    R("web:manifest",                 "GET",  NONE,     200, 200, 200, 200, 200, 200, 200, 200),
    R("web:service_worker",           "GET",  NONE,     200, 200, 200, 200, 200, 200, 200, 200),
    R("web:offline",                  "GET",  NONE,     200, 200, 200, 200, 200, 200, 200, 200),
    R("admin:index",                  "GET",  NONE,     302, 302, 302, 302, 302, 302, 302, 200),
    # Intake: the patient's own; the brief for a therapist with consent.
    R("intake:home",                  "GET",  NONE,     302, 200, 200, 403, 403, 403, 403, 403),
    R("intake:form",                  "GET",  NONE,     302, 200, 200, 403, 403, 403, 403, 403),
    R("intake:form",                  "POST", NONE,     302, 422, 422, 403, 403, 403, 403, 403),
    # Finishing a safety intake (booked first); with nothing missing, the intake's page.
    R("intake:finish",                "GET",  NONE,     302, 302, 302, 403, 403, 403, 403, 403),
    R("intake:finish",                "POST", NONE,     302, 302, 302, 403, 403, 403, 403, 403),
    R("intake:recheck",               "GET",  NONE,     302, 200, 200, 403, 403, 403, 403, 403),
    R("intake:recheck",               "POST", NONE,     302, 422, 422, 403, 403, 403, 403, 403),
    R("intake:detail",                "GET",  {"intake_id": "a.intake"},
                                                        302, 200, 404, 403, 403, 403, 403, 403),
    R("intake:clearance",             "GET",  {"intake_id": "a.intake"},
                                                        302, 405, 405, 405, 405, 405, 405, 405),
    R("intake:clearance",             "POST", {"intake_id": "a.intake"},
                                                        302, 302, 404, 403, 403, 403, 403, 403,
      body={"confirm": "yes"}),
    R("intake:share",                 "GET",  NONE,     302, 405, 405, 405, 405, 405, 405, 405),
    R("intake:share",                 "POST", NONE,     302, 302, 302, 403, 403, 403, 403, 403,
      body={"therapist_email": "@b.therapist.user.email"}),
    R("intake:revoke",                "GET",  {"share_id": "a.share"},
                                                        302, 200, 404, 403, 403, 403, 403, 403),
    R("intake:revoke",                "POST", {"share_id": "a.share"},
                                                        302, 302, 404, 403, 403, 403, 403, 403),
    R("intake:import_questionnaire",  "GET",  NONE,     302, 403, 403, 403, 403, 200, 200, 200),
    R("intake:import_questionnaire",  "POST", NONE,     302, 403, 403, 403, 403, 200, 200, 200),
    R("intake:questionnaire",         "GET",  {"code": "=nrs-back"},
                                                        302, 200, 200, 403, 403, 403, 403, 403),
    R("intake:questionnaire",         "POST", {"code": "=nrs-back"},
                                                        302, 422, 422, 403, 403, 403, 403, 403),
    R("intake:clients",               "GET",  NONE,     302, 403, 403, 200, 200, 403, 403, 403),
    R("intake:brief",                 "GET",  {"patient_id": "a.patient"},
                                                        302, 403, 403, 200, 404, 403, 403, 403),
    # The treating therapist's home exercise programme for a client (from the note's "home
    # care"): nobody else's, a 404 alike. An empty form is a 422; ending without the
    # confirmation goes back to the page.
    R("exercises:prescribe",          "GET",  {"patient_id": "a.patient"},
                                                        302, 404, 404, 200, 404, 404, 404, 404),
    R("exercises:prescribe",          "POST", {"patient_id": "a.patient"},
                                                        302, 404, 404, 422, 404, 404, 404, 404),
    R("exercises:end_programme",      "GET",  PLAN,     302, 404, 404, 200, 404, 404, 404, 404),
    R("exercises:end_programme",      "POST", PLAN,     302, 404, 404, 302, 404, 404, 404, 404),
    # Scheduling: an appointment is its patient's and its therapist's.
    R("calendar_feed",                "GET",  {"secret": "a.feed.secret"},
                                                        200, 200, 200, 200, 200, 200, 200, 200),
    R("calendar_feed",                "POST", {"secret": "a.feed.secret"},
                                                        405, 405, 405, 405, 405, 405, 405, 405),
    R("scheduling:book",              "GET",  THERAPIST, 302, 200, 200, 200, 200, 200, 200, 200),
    R("scheduling:book",              "POST", THERAPIST, 302, 422, 422, 200, 200, 200, 200, 200),
    # Booking first: a person with no account (without a symptom check in the browser, the
    # page asks for it; a POST is refused); anyone signed in goes to the booking page.
    R("scheduling:new_patient",       "GET",  THERAPIST, 200, 302, 302, 302, 302, 302, 302, 302),
    R("scheduling:new_patient",       "POST", THERAPIST, 403, 302, 302, 302, 302, 302, 302, 302),
    R("scheduling:appointments",      "GET",  NONE,     302, 200, 200, 200, 200, 200, 200, 200),
    R("scheduling:appointment",       "GET",  FUTURE,   302, 200, 404, 200, 404, 404, 404, 404),
    R("scheduling:cancel",            "GET",  FUTURE,   302, 200, 404, 200, 404, 404, 404, 404),
    R("scheduling:cancel",            "POST", FUTURE,   302, 302, 404, 302, 404, 404, 404, 404),
    # Only a patient whose intake says emergency or urgent cancels all at once; others are sent back.
    R("scheduling:cancel_for_triage", "GET",  NONE,     302, 302, 302, 403, 403, 403, 403, 403),
    R("scheduling:cancel_for_triage", "POST", NONE,     302, 302, 302, 403, 403, 403, 403, 403),
    R("scheduling:reschedule",        "GET",  FUTURE,   302, 200, 404, 200, 404, 404, 404, 404),
    R("scheduling:reschedule",        "POST", FUTURE,   302, 422, 404, 422, 404, 404, 404, 404),
    R("scheduling:attendance",        "GET",  PAST,     302, 405, 405, 405, 405, 405, 405, 405),
    R("scheduling:attendance",        "POST", PAST,     302, 404, 404, 302, 404, 404, 404, 404,
      body={"attended": "yes"}),
    # The no-show step is the session's therapist's; this session was attended: sent back to it.
    R("scheduling:no_show",           "GET",  PAST,     302, 404, 404, 302, 404, 404, 404, 404),
    R("scheduling:no_show",           "POST", PAST,     302, 404, 404, 302, 404, 404, 404, 404),
    R("scheduling:week",              "GET",  NONE,     302, 403, 403, 200, 200, 403, 403, 403),
    # A therapist's own calendar (CalDAV): theirs alone; nothing connected in the world, so
    # reading and disconnecting send them back to the page, and an empty form is a 422.
    R("integrations:calendar",        "GET",  NONE,     302, 403, 403, 200, 200, 403, 403, 403),
    R("integrations:calendar",        "POST", NONE,     302, 403, 403, 422, 422, 403, 403, 403),
    R("integrations:calendar_read",   "POST", NONE,     302, 403, 403, 302, 302, 403, 403, 403),
    R("integrations:calendar_choose", "GET",  NONE,     302, 403, 403, 302, 302, 403, 403, 403),
    R("integrations:calendar_choose", "POST", NONE,     302, 403, 403, 302, 302, 403, 403, 403),
    R("integrations:calendar_disconnect", "GET", NONE,  302, 403, 403, 302, 302, 403, 403, 403),
    R("integrations:calendar_disconnect", "POST", NONE, 302, 403, 403, 302, 302, 403, 403, 403),
    R("scheduling:flare_up",          "GET",  NONE,     302, 200, 200, 302, 302, 302, 302, 302),
    R("scheduling:flare_up",          "POST", NONE,     302, 405, 405, 405, 405, 405, 405, 405),
    R("scheduling:waitlist",          "GET",  NONE,     302, 200, 200, 403, 403, 403, 403, 403),
    R("scheduling:waitlist_join",     "GET",  NONE,     302, 200, 200, 403, 403, 403, 403, 403),
    R("scheduling:waitlist_join",     "POST", NONE,     302, 200, 200, 403, 403, 403, 403, 403),
    R("scheduling:waitlist_leave",    "GET",  {"entry_id": "a.entry"},
                                                        302, 200, 404, 403, 403, 403, 403, 403),
    R("scheduling:waitlist_leave",    "POST", {"entry_id": "a.entry"},
                                                        302, 302, 404, 403, 403, 403, 403, 403),
    R("scheduling:offer",             "GET",  OFFER,    302, 200, 404, 403, 403, 403, 403, 403),
    R("scheduling:offer_accept",      "GET",  OFFER,    302, 405, 405, 405, 405, 405, 405, 405),
    R("scheduling:offer_accept",      "POST", OFFER,    302, 302, 404, 403, 403, 403, 403, 403),
    R("scheduling:offer_decline",     "GET",  OFFER,    302, 405, 405, 405, 405, 405, 405, 405),
    R("scheduling:offer_decline",     "POST", OFFER,    302, 302, 404, 403, 403, 403, 403, 403),
    R("scheduling:calendar",          "GET",  NONE,     302, 200, 200, 200, 200, 200, 200, 200),
    R("scheduling:calendar_new_link", "GET",  NONE,     302, 200, 200, 200, 200, 200, 200, 200),
    R("scheduling:calendar_new_link", "POST", NONE,     302, 302, 302, 302, 302, 302, 302, 302),
    # Billing: a clinic's payment policy is its own admins' (an empty form is a 422); a
    # booking's deposit is its patient's (a POST without an action goes back to the page).
    R("billing:policy",               "GET",  CLINIC,   302, 404, 404, 404, 404, 200, 404, 404),
    R("billing:policy",               "POST", CLINIC,   302, 404, 404, 404, 404, 422, 404, 404),
    # Webhooks: a clinic's own admins only, a 404 alike for everyone else (an empty form is a
    # 422; sending, resending and deleting go back to the page; a new secret is shown once).
    R("integrations:webhooks",        "GET",  CLINIC,   302, 404, 404, 404, 404, 200, 404, 404),
    R("integrations:webhooks",        "POST", CLINIC,   302, 404, 404, 404, 404, 422, 404, 404),
    R("integrations:webhook",         "GET",  WEBHOOK,  302, 404, 404, 404, 404, 200, 404, 404),
    R("integrations:webhook",         "POST", WEBHOOK,  302, 404, 404, 404, 404, 422, 404, 404),
    R("integrations:webhook_roll_secret", "GET", WEBHOOK, 302, 404, 404, 404, 404, 200, 404, 404),
    R("integrations:webhook_roll_secret", "POST", WEBHOOK, 302, 404, 404, 404, 404, 200, 404, 404),
    R("integrations:webhook_ping",    "GET",  WEBHOOK,  302, 405, 405, 405, 405, 405, 405, 405),
    R("integrations:webhook_ping",    "POST", WEBHOOK,  302, 404, 404, 404, 404, 302, 404, 404),
    R("integrations:webhook_enable",  "GET",  WEBHOOK,  302, 405, 405, 405, 405, 405, 405, 405),
    R("integrations:webhook_enable",  "POST", WEBHOOK,  302, 404, 404, 404, 404, 302, 404, 404,
      body={"enabled": "0"}),
    R("integrations:webhook_delete",  "GET",  WEBHOOK,  302, 404, 404, 404, 404, 200, 404, 404),
    R("integrations:webhook_delete",  "POST", WEBHOOK,  302, 404, 404, 404, 404, 302, 404, 404),
    R("integrations:webhook_resend",  "GET",  WEBHOOK_DELIVERY,
                                                        302, 405, 405, 405, 405, 405, 405, 405),
    R("integrations:webhook_resend",  "POST", WEBHOOK_DELIVERY,
                                                        302, 404, 404, 404, 404, 302, 404, 404),
    R("billing:deposit",              "GET",  FUTURE,   302, 200, 404, 404, 404, 404, 404, 404),
    R("billing:deposit",              "POST", FUTURE,   302, 302, 404, 404, 404, 404, 404, 404),
    # Records: the note's therapist; the clinic's admin with a reason; the patient's summary.
    R("records:sessions",             "GET",  NONE,     302, 403, 403, 200, 200, 403, 403, 403),
    R("records:note",                 "GET",  PAST,     302, 200, 404, 200, 404, 200, 404, 404),
    R("records:note",                 "POST", PAST,     302, 200, 404, 200, 404, 200, 404, 404,
      body={"reason": "Quality audit"}),
    # A GET goes to the note page (which then answers as it does).
    R("records:autosave",             "GET",  PAST,     302, 302, 302, 302, 302, 302, 302, 302),
    # The world's note is signed: its therapist's save is refused, and without htmx the refusal
    # goes back to the note page (409 there, text kept); everyone else gets 404.
    R("records:autosave",             "POST", PAST,     302, 404, 404, 302, 404, 404, 404, 404,
      body={"subjective": "changed", "adverse_event": "none"}),
    R("records:sign",                 "GET",  PAST,     302, 404, 404, 200, 404, 404, 404, 404),
    R("records:sign",                 "POST", PAST,     302, 404, 404, 302, 404, 404, 404, 404),
    R("records:amend",                "GET",  PAST,     302, 405, 405, 405, 405, 405, 405, 405),
    R("records:amend",                "POST", PAST,     302, 404, 404, 302, 404, 404, 404, 404,
      body={"reason": "Late entry", "text": "Also worked the calf"}),
    R("records:template",             "GET",  PAST,     302, 405, 405, 405, 405, 405, 405, 405),
    R("records:template",             "POST", PAST,     302, 404, 404, 302, 404, 404, 404, 404,
      body={"action": "save", "name": "Sciatica standard"}),
    R("records:my_sessions",          "GET",  NONE,     302, 200, 200, 403, 403, 403, 403, 403),
    R("records:access_history",       "GET",  NONE,     302, 200, 200, 200, 200, 200, 200, 200),
    R("records:clinic_notes",         "GET",  NONE,     302, 403, 403, 403, 403, 200, 200, 403),
    # Outcomes: the patient's own diary and reports.
    R("outcomes:diary",               "GET",  NONE,     302, 200, 200, 403, 403, 403, 403, 403),
    R("outcomes:diary",               "POST", NONE,     302, 302, 302, 403, 403, 403, 403, 403,
      body={"back_pain": "3", "leg_pain": "2", "note": "fine"}),
    R("outcomes:nudge",               "GET",  NONE,     302, 405, 405, 405, 405, 405, 405, 405),
    R("outcomes:nudge",               "POST", NONE,     302, 302, 302, 403, 403, 403, 403, 403),
    R("outcomes:reports",             "GET",  NONE,     302, 200, 200, 403, 403, 403, 403, 403),
    R("outcomes:reports",             "POST", NONE,     302, 302, 302, 403, 403, 403, 403, 403,
      body={"date_of_birth": "1970-05-17"}),
    R("outcomes:report_pdf",          "GET",  {"report_id": "a.report"},
                                                        302, 200, 404, 404, 404, 404, 404, 404),
    R("outcomes:report_share",        "GET",  {"report_id": "a.report"},
                                                        302, 405, 405, 405, 405, 405, 405, 405),
    R("outcomes:report_share",        "POST", {"report_id": "a.report"},
                                                        302, 200, 404, 404, 404, 404, 404, 404,
      body={"email": "gp@example.org"}),
    R("outcomes:share_stop",          "GET",  {"share_id": "a.share_link"},
                                                        302, 405, 405, 405, 405, 405, 405, 405),
    R("outcomes:share_stop",          "POST", {"share_id": "a.share_link"},
                                                        302, 302, 404, 404, 404, 404, 404, 404,
      body={"confirm": "yes"}),
    # The doctor's link: the secret token and a code the patient passes on.
    R("outcomes:shared_report",       "GET",  {"token": "a.share_token"},
                                                        200, 200, 200, 200, 200, 200, 200, 200),
    R("outcomes:shared_report",       "POST", {"token": "a.share_token"},
                                                        422, 422, 422, 422, 422, 422, 422, 422,
      body={"code": "WXYZ-WXYZ"}),
    # Practice outcomes: a therapist's own, a clinic's for its admins.
    R("outcomes:my_outcomes",         "GET",  NONE,     302, 404, 404, 302, 302, 404, 404, 404),
    R("outcomes:therapist_outcomes",  "GET",  {"profile_id": "a.therapist"},
                                                        302, 404, 404, 200, 404, 200, 404, 200),
    # A clinic admin of one clinic goes straight to its report; a site admin sees both clinics.
    R("outcomes:clinic_outcomes_list", "GET", NONE,     302, 404, 404, 404, 404, 302, 302, 200),
    R("outcomes:clinic_outcomes",     "GET",  {"clinic_id": "a.clinic"},
                                                        302, 404, 404, 404, 404, 200, 404, 200),
    # Your data: the patient's archive; a patient's FHIR record for those who treat them.
    R("interop:your_data",            "GET",  NONE,     302, 200, 200, 403, 403, 403, 403, 403),
    R("interop:your_data",            "POST", NONE,     302, 302, 302, 403, 403, 403, 403, 403),
    # Bringing in a FHIR Bundle file: patients only; a post with no file is a 422.
    R("interop:import_fhir",          "GET",  NONE,     302, 200, 200, 403, 403, 403, 403, 403),
    R("interop:import_fhir",          "POST", NONE,     302, 422, 422, 403, 403, 403, 403, 403),
    R("interop:export_zip",           "GET",  {"export_id": "a.export"},
                                                        302, 200, 404, 404, 404, 404, 404, 404),
    # The patient is sent to their own page; therapist and clinic admin state a reason.
    R("interop:patient_fhir",         "GET",  {"patient_id": "a.patient"},
                                                        302, 302, 404, 200, 404, 200, 404, 404),
    R("interop:patient_fhir",         "POST", {"patient_id": "a.patient"},
                                                        302, 302, 404, 200, 404, 200, 404, 404,
      body={"reason": "Referral to a physiotherapist"}),
    # Directory: public search and profiles; a therapist's own entry, their clinics' admins.
    R("directory:search",             "GET",  NONE,     200, 200, 200, 200, 200, 200, 200, 200),
    R("directory:profile",            "GET",  PROFILE,  200, 200, 200, 200, 200, 200, 200, 200),
    R("directory:edit",               "GET",  PROFILE,  302, 404, 404, 200, 404, 200, 404, 200),
    R("directory:edit",               "POST", PROFILE,  302, 404, 404, 400, 404, 400, 404, 400,
      body={"bio": "x"}),
    R("directory:add_session",        "GET",  PROFILE,  302, 405, 405, 405, 405, 405, 405, 405),
    R("directory:add_session",        "POST", PROFILE,  302, 404, 404, 302, 404, 302, 404, 302,
      body={"name": "Short", "minutes": "30", "price": "30", "currency": "GBP"}),
    R("directory:add_review",         "GET",  PROFILE,  302, 200, 200, 404, 404, 404, 404, 404),
    R("directory:add_review",         "POST", PROFILE,  302, 400, 400, 404, 404, 404, 404, 404,
      body={"session_id": "@a.past", "rating": "5", "text": "Again"}),
    R("directory:standard_session",   "GET",  SESSION,  302, 405, 405, 405, 405, 405, 405, 405),
    R("directory:standard_session",   "POST", SESSION,  302, 404, 404, 302, 404, 302, 404, 302),
    R("directory:remove_session",     "GET",  SESSION,  302, 404, 404, 200, 404, 200, 404, 200),
    R("directory:remove_session",     "POST", SESSION,  302, 404, 404, 302, 404, 302, 404, 302),
    R("directory:me",                 "GET",  NONE,     302, 404, 404, 302, 302, 404, 404, 404),
    R("directory:my_credentials",     "GET",  NONE,     302, 404, 404, 200, 200, 404, 404, 404),
    R("directory:my_credentials",     "POST", NONE,     302, 404, 404, 400, 400, 404, 404, 404),
    R("directory:document",           "GET",  PENDING,  302, 404, 404, 200, 404, 200, 404, 200),
    R("directory:verify",             "GET",  PENDING,  302, 404, 404, 404, 404, 200, 404, 200),
    R("directory:verify",             "POST", PENDING,  302, 404, 404, 404, 404, 302, 404, 302),
    R("directory:reject",             "GET",  PENDING,  302, 404, 404, 404, 404, 200, 404, 200),
    R("directory:reject",             "POST", PENDING,  302, 404, 404, 404, 404, 302, 404, 302,
      body={"reason": "The number is not on the register."}),
    R("directory:hide_review",        "GET",  {"review_id": "a.review"},
                                                        302, 404, 404, 404, 404, 200, 404, 200),
    R("directory:hide_review",        "POST", {"review_id": "a.review"},
                                                        302, 404, 404, 404, 404, 302, 404, 302,
      body={"reason": "Names another patient."}),
    R("directory:clinic",             "GET",  NONE,     302, 404, 404, 404, 404, 200, 200, 200),
    R("directory:plan",               "GET",  NONE,     302, 200, 200, 404, 404, 404, 404, 404),
    R("directory:plan_add",           "GET",  NONE,     302, 405, 405, 404, 404, 404, 404, 404),
    R("directory:plan_add",           "POST", NONE,     302, 302, 302, 404, 404, 404, 404, 404,
      body={"therapist": "@b.therapist"}),
    R("directory:plan_remove",        "GET",  THERAPIST, 302, 200, 404, 404, 404, 404, 404, 404),
    R("directory:plan_remove",        "POST", THERAPIST, 302, 302, 404, 404, 404, 404, 404, 404),
    R("directory:plan_move",          "GET",  THERAPIST, 302, 405, 405, 404, 404, 404, 404, 404),
    R("directory:plan_move",          "POST", THERAPIST, 302, 302, 404, 404, 404, 404, 404, 404,
      body={"direction": "down"}),
    # Billing: a patient's own money; the clinic's admins theirs (a therapist sees only the
    # status, in the API's list); site admins none of it.
    R("billing:payments",             "GET",  NONE,     302, 200, 200, 404, 404, 404, 404, 404),
    R("billing:invoice",              "GET",  INVOICE,  302, 200, 404, 404, 404, 200, 404, 404),
    R("billing:invoice_pdf",          "GET",  INVOICE,  302, 200, 404, 404, 404, 200, 404, 404),
    R("billing:insurer_pdf",          "GET",  INVOICE,  302, 200, 404, 404, 404, 200, 404, 404),
    R("billing:receipt_pdf",          "GET",  PAYMENT,  302, 200, 404, 404, 404, 200, 404, 404),
    R("billing:takings_home",         "GET",  NONE,     302, 404, 404, 404, 404, 302, 302, 404),
    R("billing:takings",              "GET",  CLINIC,   302, 404, 404, 404, 404, 200, 404, 404),
    R("billing:takings_csv",          "GET",  CLINIC,   302, 404, 404, 404, 404, 200, 404, 404),
    R("billing:record_payment",       "GET",  FEE,      302, 404, 404, 404, 404, 200, 404, 404),
    R("billing:record_payment",       "POST", FEE,      302, 404, 404, 404, 404, 302, 404, 404,
      body={"amount": "10.00", "method": "cash", "confirm": "yes"}),
    R("billing:refund",               "GET",  PAYMENT,  302, 404, 404, 404, 404, 200, 404, 404),
    R("billing:refund",               "POST", PAYMENT,  302, 404, 404, 404, 404, 302, 404, 404,
      body={"amount": "5.00", "reason": "Session cut short", "confirm": "yes"}),
    R("billing:waive",                "GET",  FEE,      302, 404, 404, 404, 404, 200, 404, 404),
    R("billing:waive",                "POST", FEE,      302, 404, 404, 404, 404, 302, 404, 404,
      body={"reason": "Hospital appointment", "confirm": "yes"}),
    # Exercises: the public library (built-in exercises, nobody's data); which exercises a
    # clinic's therapists may recommend and its own exercises, for its admins and site admins.
    # Unticking asks first (an empty list: the confirm page); an empty exercise form is a 422.
    R("exercises:library",            "GET",  NONE,     200, 200, 200, 200, 200, 200, 200, 200),
    R("exercises:exercise",           "GET",  {"slug": "=walking"},
                                                        200, 200, 200, 200, 200, 200, 200, 200),
    # Moving in from another system: the clinic's own admins only (a site admin too gets 404).
    # Without its confirmation, importing or discarding goes back a step and changes nothing.
    R("integrations:imports",         "GET",  CLINIC,   302, 404, 404, 404, 404, 200, 404, 404),
    R("integrations:imports",         "POST", CLINIC,   302, 404, 404, 404, 404, 422, 404, 404),
    R("integrations:import_run",      "GET",  IMPORT,   302, 404, 404, 404, 404, 200, 404, 404),
    R("integrations:import_run",      "POST", IMPORT,   302, 404, 404, 404, 404, 422, 404, 404),
    R("integrations:import_check",    "GET",  IMPORT,   302, 404, 404, 404, 404, 200, 404, 404),
    R("integrations:import_check",    "POST", IMPORT,   302, 405, 405, 405, 405, 405, 405, 405),
    R("integrations:import_do",       "GET",  IMPORT,   302, 405, 405, 405, 405, 405, 405, 405),
    R("integrations:import_do",       "POST", IMPORT,   302, 404, 404, 404, 404, 302, 404, 404),
    R("integrations:import_discard",  "GET",  IMPORT,   302, 405, 405, 405, 405, 405, 405, 405),
    R("integrations:import_discard",  "POST", IMPORT,   302, 404, 404, 404, 404, 302, 404, 404),
    R("exercises:clinics",            "GET",  NONE,     302, 404, 404, 404, 404, 302, 302, 200),
    R("exercises:clinic",             "GET",  CLINIC,   302, 404, 404, 404, 404, 200, 404, 200),
    R("exercises:clinic",             "POST", CLINIC,   302, 404, 404, 404, 404, 200, 404, 200),
    R("exercises:add",                "GET",  CLINIC,   302, 404, 404, 404, 404, 200, 404, 200),
    R("exercises:add",                "POST", CLINIC,   302, 404, 404, 404, 404, 422, 404, 422),
    R("exercises:edit",               "GET",  OWN_EXERCISE,
                                                        302, 404, 404, 404, 404, 200, 404, 200),
    R("exercises:edit",               "POST", OWN_EXERCISE,
                                                        302, 404, 404, 404, 404, 422, 404, 422),
    R("exercises:remove",             "GET",  OWN_EXERCISE,
                                                        302, 404, 404, 404, 404, 200, 404, 200),
    R("exercises:remove",             "POST", OWN_EXERCISE,
                                                        302, 404, 404, 404, 404, 302, 404, 302),
    # The patient's own home exercises (staff are not patients: 403). A therapist's programme
    # is ticked and paused by its patient; one the patient entered they also change and end
    # (the therapist's cannot be: 404). Empty forms are 422s; ending asks first.
    R("exercises:my_programme",       "GET",  NONE,     302, 200, 200, 403, 403, 403, 403, 403),
    R("exercises:programme_new",      "GET",  NONE,     302, 200, 200, 403, 403, 403, 403, 403),
    R("exercises:programme_new",      "POST", NONE,     302, 422, 422, 403, 403, 403, 403, 403),
    R("exercises:programme_edit",     "GET",  OWN_PLAN, 302, 200, 404, 403, 403, 403, 403, 403),
    R("exercises:programme_edit",     "POST", OWN_PLAN, 302, 422, 404, 403, 403, 403, 403, 403),
    R("exercises:programme_end",      "GET",  OWN_PLAN, 302, 200, 404, 403, 403, 403, 403, 403),
    R("exercises:programme_end",      "POST", OWN_PLAN, 302, 302, 404, 403, 403, 403, 403, 403,
      body={"confirm": "yes"}),
    R("exercises:tick",               "GET",  PLAN,     302, 405, 405, 405, 405, 405, 405, 405),
    R("exercises:tick",               "POST", PLAN,     302, 302, 404, 403, 403, 403, 403, 403,
      body={"exercise": "@a.exercise", "leg_pain": "same"}),
    R("exercises:pause",              "GET",  PLAN,     302, 405, 405, 405, 405, 405, 405, 405),
    R("exercises:pause",              "POST", PLAN,     302, 302, 404, 403, 403, 403, 403, 403,
      body={"exercise": "@a.exercise"}),
    R("exercises:resume",             "GET",  PLAN,     302, 405, 405, 405, 405, 405, 405, 405),
    R("exercises:resume",             "POST", PLAN,     302, 302, 404, 403, 403, 403, 403, 403,
      body={"exercise": "@a.exercise"}),
    # allauth's set-up of an authenticator app, with an answer for two sessions at once
    # (accounts.views.ActivateTotp): the password again first, for everyone; staff, who have
    # one already, are then sent to remove it (tests/proof/test_findings_auth.py).
    R("mfa_activate_totp",            "GET",  NONE,     302, 302, 302, 302, 302, 302, 302, 302),
    R("mfa_activate_totp",            "POST", NONE,     302, 302, 302, 302, 302, 302, 302, 302,
      body={"code": "000000"}),
    # Accounts: one's own tokens; making one asks for the password again first.
    R("accounts:account",             "GET",  NONE,     302, 200, 200, 200, 200, 200, 200, 200),
    # One's own time zone ("UTC": the world's users keep the zone every other row assumes).
    R("accounts:time_zone",           "GET",  NONE,     302, 405, 405, 405, 405, 405, 405, 405),
    R("accounts:time_zone",           "POST", NONE,     302, 302, 302, 302, 302, 302, 302, 302,
      body={"time_zone": "UTC"}),
    # The language switcher, for everyone ("en": the world's users keep the English every row reads).
    R("accounts:language",            "GET",  NONE,     405, 405, 405, 405, 405, 405, 405, 405),
    R("accounts:language",            "POST", NONE,     302, 302, 302, 302, 302, 302, 302, 302,
      body={"language": "en", "next": "/"}),
    R("accounts:create_token",        "GET",  NONE,     302, 405, 405, 405, 405, 405, 405, 405),
    R("accounts:create_token",        "POST", NONE,     302, 302, 302, 302, 302, 302, 302, 302,
      body={"name": "Laptop"}),
    R("accounts:revoke_token",        "GET",  {"token_id": "a.token_id"},
                                                        302, 200, 404, 404, 404, 404, 404, 404),
    R("accounts:revoke_token",        "POST", {"token_id": "a.token_id"},
                                                        302, 302, 404, 404, 404, 404, 404, 404),
    # Deleting: staff see "ask a site admin"; the POST first asks for the password again.
    # One's own mobile number (an empty one removes it).
    R("accounts:phone",               "GET",  NONE,     302, 405, 405, 405, 405, 405, 405, 405),
    R("accounts:phone",               "POST", NONE,     302, 302, 302, 302, 302, 302, 302, 302,
      body={"phone": ""}),
    # Reminders: everyone's own page and devices; replies to texts come signed by Twilio (an
    # unsigned post is a 403 whoever sends it; tests/reminders/test_sms_replies.py).
    R("reminders:settings",           "GET",  NONE,     302, 200, 200, 200, 200, 200, 200, 200),
    R("reminders:settings",           "POST", NONE,     302, 302, 302, 302, 302, 302, 302, 302,
      body={"quiet_start": "22:00", "quiet_end": "08:00", "appointment_email": "on"}),
    R("reminders:phone",              "GET",  NONE,     302, 405, 405, 405, 405, 405, 405, 405),
    R("reminders:phone",              "POST", NONE,     302, 302, 302, 302, 302, 302, 302, 302,
      body={"phone": ""}),
    # A subscription posted without its fields: 400 (the page's script sends them).
    R("reminders:add_device",         "GET",  NONE,     302, 405, 405, 405, 405, 405, 405, 405),
    R("reminders:add_device",         "POST", NONE,     302, 400, 400, 400, 400, 400, 400, 400),
    R("reminders:remove_device",      "GET",  {"device_id": "a.device"},
                                                        302, 405, 405, 405, 405, 405, 405, 405),
    R("reminders:remove_device",      "POST", {"device_id": "a.device"},
                                                        302, 302, 404, 404, 404, 404, 404, 404),
    R("reminders:sms_inbound",        "GET",  NONE,     405, 405, 405, 405, 405, 405, 405, 405),
    R("reminders:sms_inbound",        "POST", NONE,     403, 403, 403, 403, 403, 403, 403, 403,
      body={"From": "+447400123456", "Body": "STOP"}),
    R("privacy:delete",               "GET",  NONE,     302, 200, 200, 200, 200, 200, 200, 200),
    R("privacy:delete",               "POST", NONE,     302, 302, 302, 302, 302, 302, 302, 302,
      body={"confirm": "on"}),
    R("privacy:cancel_deletion",      "GET",  NONE,     302, 405, 405, 405, 405, 405, 405, 405),
    R("privacy:cancel_deletion",      "POST", NONE,     302, 404, 404, 404, 404, 404, 404, 404),
    # The API's own pages.
    R("api-v1:openapi-json",          "GET",  NONE,     200, 200, 200, 200, 200, 200, 200, 200),
    R("api-v1:openapi-view",          "GET",  NONE,     200, 200, 200, 200, 200, 200, 200, 200),
    R("api-v1:api-root",              "GET",  NONE,     404, 404, 404, 404, 404, 404, 404, 404),

    # API operations (session-authenticated; anonymous callers get 401). Bodies are minimal but
    # valid where the operation acts on an object, so refusal comes from the access check.
    #  operation                                          path     anon  pat  opat ther oth  cadm ocad site
    A("GET /api/v1/me",                                   NONE,     401, 200, 200, 200, 200, 200, 200, 200),
    A("PATCH /api/v1/me",                                 NONE,     401, 200, 200, 200, 200, 200, 200, 200,
      body={"time_zone": "UTC"}),
    A("GET /api/v1/therapists",                           NONE,     200, 200, 200, 200, 200, 200, 200, 200,
      query="lat=53.4808&lon=-2.2426"),
    A("GET /api/v1/therapists/{therapist_id}",            THERAPIST, 200, 200, 200, 200, 200, 200, 200, 200),
    A("GET /api/v1/therapists/{therapist_id}/slots",      THERAPIST, 200, 200, 200, 200, 200, 200, 200, 200),
    A("POST /api/v1/triage",                              NONE,     422, 422, 422, 422, 422, 422, 422, 422),
    A("POST /api/v1/questionnaires/{code}/score",         {"code": "=nrs-back"},
                                                                    200, 200, 200, 200, 200, 200, 200, 200,
      body={"answers": {"nrs-back-1": 4}}),
    A("POST /api/v1/appointments",                        NONE,     401, 422, 422, 422, 422, 422, 422, 422),
    A("POST /api/v1/intake/recheck",                      NONE,     401, 422, 422, 422, 422, 422, 422, 422),
    A("GET /api/v1/appointments",                         NONE,     401, 200, 200, 200, 200, 200, 200, 200),
    A("POST /api/v1/appointments/{appointment_id}/cancel", FUTURE,  401, 200, 404, 200, 404, 404, 404, 404),
    A("POST /api/v1/appointments/{appointment_id}/reschedule", FUTURE,
                                                                    401, 422, 404, 422, 404, 404, 404, 404,
      body={"start": "2020-01-06T10:00:00+00:00"}),
    A("GET /api/v1/appointments/{appointment_id}/note",   PAST,     401, 200, 404, 200, 404, 422, 404, 404),
    A("PUT /api/v1/appointments/{appointment_id}/note",   PAST,     401, 404, 404, 409, 404, 404, 404, 404,
      body={"subjective": "changed"}),
    A("POST /api/v1/appointments/{appointment_id}/note/sign", PAST, 401, 404, 404, 409, 404, 404, 404, 404),
    A("POST /api/v1/appointments/{appointment_id}/note/amendments", PAST,
                                                                    401, 404, 404, 201, 404, 404, 404, 404,
      body={"reason": "Late entry", "text": "Also worked the calf"}),
    A("GET /api/v1/diary",                                NONE,     401, 200, 200, 403, 403, 403, 403, 403),
    A("POST /api/v1/diary",                               NONE,     401, 200, 200, 403, 403, 403, 403, 403,
      body={"back_pain": 3, "leg_pain": 2}),
    # A write made offline: a patient's own diary (this one is too old to sync: 422).
    A("PUT /api/v1/diary/entries/{client_id}",            {"client_id": "=6f1c2d4e-8a3b-4c5d-9e6f-7a8b9c0d1e2f"},
                                                                    401, 422, 422, 403, 403, 403, 403, 403,
      body={"date": "2026-01-05", "made_at": "2026-01-05T09:00:00+00:00", "back_pain": 3,
            "leg_pain": 2}),
    A("GET /api/v1/patients/me/fhir",                     NONE,     401, 200, 200, 403, 403, 403, 403, 403),
    A("GET /api/v1/patients/{patient_id}/fhir",           {"patient_id": "a.patient"},
                                                                    401, 200, 404, 200, 404, 200, 404, 404,
      query="reason=Referral"),
    # Another system's Bundle (a sciatica Condition): a patient's own record takes it.
    A("POST /api/v1/patients/me/fhir",                    NONE,     401, 201, 201, 403, 403, 403, 403, 403,
      body={"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {
          "resourceType": "Condition", "onsetDateTime": "2026-01-05",
          "code": {"coding": [{"system": "http://snomed.info/sct", "code": "23056005"}]}}}]}),
    # Money: the policy for the clinic's own admins; a deposit for its patient (paid already:
    # a card for it is a 409); a no-show for the session's therapist (this one was attended).
    A("GET /api/v1/clinics/{clinic_id}/payment-policy",   CLINIC,   401, 404, 404, 404, 404, 200, 404, 404),
    A("PUT /api/v1/clinics/{clinic_id}/payment-policy",   CLINIC,   401, 404, 404, 404, 404, 200, 404, 404,
      body={"no_show_fee": {"amount": "30.00", "currency": "GBP"}}),
    # Webhooks: the clinic's own admins only (404 alike for everyone else).
    A("GET /api/v1/clinics/{clinic_id}/webhooks",         CLINIC,   401, 404, 404, 404, 404, 200, 404, 404),
    A("POST /api/v1/clinics/{clinic_id}/webhooks",        CLINIC,   401, 404, 404, 404, 404, 201, 404, 404,
      body={"url": "https://hooks.example.org/new", "events": ["note.signed"]}),
    A("GET /api/v1/clinics/{clinic_id}/webhooks/{endpoint_id}", WEBHOOK,
                                                                    401, 404, 404, 404, 404, 200, 404, 404),
    A("PATCH /api/v1/clinics/{clinic_id}/webhooks/{endpoint_id}", WEBHOOK,
                                                                    401, 404, 404, 404, 404, 200, 404, 404,
      body={"enabled": False}),
    A("DELETE /api/v1/clinics/{clinic_id}/webhooks/{endpoint_id}", WEBHOOK,
                                                                    401, 404, 404, 404, 404, 204, 404, 404),
    A("GET /api/v1/clinics/{clinic_id}/webhooks/{endpoint_id}/deliveries", WEBHOOK,
                                                                    401, 404, 404, 404, 404, 200, 404, 404),
    A("POST /api/v1/clinics/{clinic_id}/webhooks/{endpoint_id}/deliveries/{delivery_id}/resend",
      WEBHOOK_DELIVERY,                                             401, 404, 404, 404, 404, 202, 404, 404),
    A("POST /api/v1/payments/{payment_id}/card",          DEPOSIT,  401, 409, 404, 404, 404, 404, 404, 404,
      body={"setup_intent": "seti_proof"}),
    A("POST /api/v1/payments/{payment_id}/finish",        DEPOSIT,  401, 200, 404, 404, 404, 404, 404, 404),
    # The processor's webhook: anyone may call it, but only a valid Stripe-Signature counts
    # (test_the_webhook_takes_any_caller_with_a_valid_signature); without one, 400 for all.
    A("POST /api/v1/payments/webhook",                    NONE,     400, 400, 400, 400, 400, 400, 400, 400,
      body={"id": "evt_proof", "type": "payment_intent.succeeded", "data": {"object": {}}}),
    A("POST /api/v1/appointments/{appointment_id}/no-show", PAST,   401, 404, 404, 409, 404, 404, 404, 404),
    A("GET /api/v1/invoices",                             NONE,     401, 200, 200, 200, 200, 200, 200, 200),
    A("GET /api/v1/invoices/{invoice_id}",                INVOICE,  401, 200, 404, 404, 404, 200, 404, 404),
    A("GET /api/v1/invoices/{invoice_id}.pdf",            INVOICE,  401, 200, 404, 404, 404, 200, 404, 404),
    # Home exercise programmes: the patient's own and their treating therapist's; a clinic
    # admin reads none. Without `patient`, each caller lists their own (staff: none). A patient
    # enters their own programme (staff are not patients: 403); a therapist's programme is
    # changed by the therapist (the patient: 403) and ticked by the patient alone.
    A("GET /api/v1/exercise-plans",                       NONE,     401, 200, 200, 200, 200, 200, 200, 200),
    A("POST /api/v1/exercise-plans",                      NONE,     401, 201, 201, 403, 403, 403, 403, 403,
      body={"start_date": "2026-01-05", "prescriber": "My physio",
            "items": [{"own_name": "Proof stretch", "repetitions": 3}]}),
    A("GET /api/v1/exercise-plans/{plan_id}",             PLAN,     401, 200, 404, 200, 404, 404, 404, 404),
    A("POST /api/v1/exercise-plans/{plan_id}/versions",   PLAN,     401, 403, 404, 201, 404, 404, 404, 404,
      body={"start_date": "2099-01-05", "items": [{"exercise": "@a.exercise", "repetitions": 5}]}),
    A("POST /api/v1/exercise-plans/{plan_id}/log",        PLAN,     401, 201, 404, 404, 404, 404, 404, 404,
      body={"exercise": "@a.exercise", "date": "@a.plan_day", "done": True, "leg_pain": "same"}),
    A("GET /api/v1/exercise-plans/{plan_id}/adherence",   PLAN,     401, 200, 404, 200, 404, 404, 404, 404),
]
# fmt: on


# --- Filling a row from the world -----------------------------------------------------------


def resolve(world: World, spec: Any) -> Any:
    """ "a.past" → world.a.past.pk; "a.feed.secret" → the string; "=nrs-back" → "nrs-back"."""
    if not isinstance(spec, str):
        return spec
    if spec.startswith("="):
        return spec[1:]
    value: Any = world
    for part in spec.split("."):
        value = getattr(value, part)
    return getattr(value, "pk", value)


def body_of(world: World, row: Row) -> Any:
    if row.body is None:
        return {}
    # In a body, "@a.past" names a world object (an API body: at its top level and in the
    # objects of a top-level list); every other value is sent as written.
    if row.is_api:
        return {key: _api_value(world, value) for key, value in row.body.items()}
    return {
        key: resolve(world, value[1:])
        if isinstance(value, str) and value.startswith("@")
        else value
        for key, value in row.body.items()
    }


def _api_value(world: World, value: Any) -> Any:
    if isinstance(value, str) and value.startswith("@"):
        return resolve(world, value[1:])
    if isinstance(value, list):
        return [
            {k: _api_value(world, v) for k, v in item.items()} if isinstance(item, dict) else item
            for item in value
        ]
    return value


def url_of(world: World, row: Row) -> str:
    values = {name: resolve(world, spec) for name, spec in row.params.items()}
    if row.is_api:
        path = row.route.split(" ", 1)[1]
        assert set(path_params(path)) == set(values), row.id
        for name, value in values.items():
            path = path.replace("{" + name + "}", str(value))
    else:
        path = reverse(row.route, kwargs=values)
    return f"{path}?{row.query}" if row.query else path


def send(client: Client, world: World, row: Row) -> Any:
    url = url_of(world, row)
    if row.is_api:
        body = json.dumps(body_of(world, row)) if row.method != "GET" else None
        return client.generic(row.method, url, data=body or "", content_type="application/json")
    if row.method == "GET":
        return client.get(url)
    return client.post(url, body_of(world, row))


def text_of(response: Any) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode(errors="replace")


def secrets_of(who: str) -> list[str]:
    return list(SECRETS[who].values())


def forbidden_text(role: str, status: int) -> list[str]:
    """Private text this caller must not see in an answer with this status."""
    hidden = [who for who in SECRETS if who not in ENTITLED[role]]
    if status in REFUSED:
        hidden = [who for who in SECRETS if who != OWN.get(role)]
    return [text for who in hidden for text in secrets_of(who)]


# --- Signing in -----------------------------------------------------------------------------


def client_for(role: str, sessions: dict[str, str]) -> Client:
    client = Client(raise_request_exception=False)
    if role in sessions:
        client.cookies[settings.SESSION_COOKIE_NAME] = sessions[role]
    return client


# --- The table matches the project ----------------------------------------------------------


def _declared_pages() -> set[str]:
    return {row.route for row in TABLE if not row.is_api}


def _declared_operations() -> set[str]:
    return {row.route for row in TABLE if row.is_api}


def test_every_route_is_declared():
    discovered = {
        route.name for route in page_routes() if not route.is_admin and not route.is_allauth
    } | {"admin:index"}
    assert sorted(discovered - _declared_pages()) == [], "declare these pages in TABLE"
    assert sorted(_declared_pages() - discovered) == [], "these TABLE pages no longer exist"
    operations = set(api_operations())
    assert sorted(operations - _declared_operations()) == [], "declare these operations"
    assert sorted(_declared_operations() - operations) == [], "these operations no longer exist"


def test_allauth_pages_are_all_under_accounts():
    for route in page_routes():
        if route.is_allauth:
            assert route.pattern.startswith("accounts/"), route


def test_table_rows_are_unique():
    ids = [row.id for row in TABLE]
    assert len(ids) == len(set(ids))


# --- Each caller gets the declared answer, and no one else's data ---------------------------


CASES = [(row, index, role) for row in TABLE for index, role in enumerate(ROLES)]


@pytest.mark.parametrize(
    ("row", "index", "role"), CASES, ids=[f"{row.id}-{role}" for row, _, role in CASES]
)
def test_route_answers_each_caller_as_declared(w, sessions, row, index, role):
    response = send(client_for(role, sessions), w, row)

    assert response.status_code == row.expect[index], text_of(response)[:300]
    body = text_of(response)
    leaked = [text for text in forbidden_text(role, response.status_code) if text in body]
    assert leaked == []


MIRROR = {"a": "b", "b": "a"}
MIRRORED_ROWS = [row for row in TABLE if row.params]


def mirrored(row: Row) -> Row:
    """The same request about the other patient's objects (their clinic, therapist, records)."""

    def swap(spec: Any) -> Any:
        if not isinstance(spec, str):
            return spec
        marker, rest = ("@", spec[1:]) if spec.startswith("@") else ("", spec)
        side, dot, path = rest.partition(".")
        return f"{marker}{MIRROR[side]}.{path}" if dot and side in MIRROR else spec

    params = {name: swap(spec) for name, spec in row.params.items()}
    body = row.body if row.is_api or row.body is None else {k: swap(v) for k, v in row.body.items()}
    return Row(row.route, row.method, params, row.expect, body, row.query)


@pytest.mark.parametrize("row", MIRRORED_ROWS, ids=[row.id for row in MIRRORED_ROWS])
def test_the_patient_changing_an_id_to_another_patients_gets_what_a_stranger_gets(w, sessions, row):
    """The patient asking for the other patient's object is answered as `other_patient` is
    for theirs, and sees none of the other patient's text."""
    response = send(client_for("patient", sessions), w, mirrored(row))

    assert response.status_code == row.expect[ROLES.index("other_patient")]
    body = text_of(response)
    assert [text for text in secrets_of("other_patient") if text in body] == []


ALLAUTH = [
    route
    for route in page_routes()
    if route.is_allauth and "<" not in route.pattern and "(?P" not in route.pattern
]


@pytest.mark.parametrize("role", ROLES)
def test_allauth_pages_show_nobody_elses_data(w, sessions, role):
    """allauth's own pages are one group: none fails, none shows another person's data."""
    client = client_for(role, sessions)
    hidden = [text for who in SECRETS if who != OWN.get(role) for text in secrets_of(who)]
    for route in ALLAUTH:
        response = client.get(reverse(route.name))
        assert response.status_code < 500, route
        body = response.content.decode(errors="replace")
        assert [text for text in hidden if text in body] == [], route


# --- Field level: embedded objects never carry another patient's data ----------------------


def test_the_patients_api_answers_embed_nothing_of_another_patient(w, sessions):
    """Appointments, the note summary, the diary, the FHIR export and a therapist's profile
    with its reviews: the patient's own data is there, the other patient's is not."""
    client = client_for("patient", sessions)
    others = secrets_of("other_patient")
    answers = {
        "appointments": client.get("/api/v1/appointments"),
        "note": client.get(f"/api/v1/appointments/{w.a.past.pk}/note"),
        "diary": client.get("/api/v1/diary"),
        "fhir": client.get("/api/v1/patients/me/fhir"),
        "own therapist": client.get(f"/api/v1/therapists/{w.a.therapist.pk}"),
        "other therapist": client.get(f"/api/v1/therapists/{w.b.therapist.pk}"),
        "me": client.get("/api/v1/me"),
        "exercise plans": client.get("/api/v1/exercise-plans"),
        "exercise plan": client.get(f"/api/v1/exercise-plans/{w.a.plan.pk}"),
    }
    for name, response in answers.items():
        assert response.status_code == 200, name
        body = response.content.decode()
        assert [text for text in others if text in body] == [], name
    assert SECRETS["patient"]["diary_note"] in answers["diary"].content.decode()
    assert SECRETS["patient"]["diary_note"] in answers["fhir"].content.decode()
    assert "Walk daily" in answers["note"].content.decode()
    assert SECRETS["patient"]["exercise_note"] in answers["exercise plan"].content.decode()
    # The other therapist's public reviews are there, without their authors.
    assert "Kind and skilled B" in answers["other therapist"].content.decode()


def test_a_therapists_appointment_list_holds_only_their_own_patients(w, sessions):
    body = client_for("therapist", sessions).get("/api/v1/appointments").content.decode()

    assert SECRETS["patient"]["last_name"] in body
    assert [text for text in secrets_of("other_patient") if text in body] == []


# Who lists a patient's programmes with `?patient=` (the query the table's row cannot name).
PATIENT_PLANS = dict(zip(ROLES, (401, 200, 404, 200, 404, 404, 404, 404), strict=True))


@pytest.mark.parametrize("role", ROLES)
def test_a_patients_programmes_are_listed_for_them_and_their_therapist_only(w, sessions, role):
    response = client_for(role, sessions).get(f"/api/v1/exercise-plans?patient={w.a.patient.pk}")

    assert response.status_code == PATIENT_PLANS[role]
    if response.status_code == 200:
        assert [p["id"] for p in response.json()["items"]] == [w.a.own_plan.pk, w.a.plan.pk]


@pytest.mark.parametrize("role", ROLES)
def test_the_webhook_takes_any_caller_with_a_valid_signature(w, sessions, settings, role):
    """The processor has no account: the signature is the credential, whoever's session or
    cookies come with it (a signed-in person gets no more, and no less, than the processor)."""
    from tests.stripe import WEBHOOK_SECRET, sign

    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    client = client_for(role, sessions)
    body = json.dumps({"id": f"evt_{role}", "type": "customer.created", "data": {"object": {}}})
    url = "/api/v1/payments/webhook"

    signed = client.post(
        url, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=sign(body.encode())
    )
    forged = client.post(
        url,
        body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(body.encode(), secret="whsec_guess"),
    )

    assert signed.status_code == 200, signed.content
    assert signed.json() == {"received": f"evt_{role}", "applied": False}
    assert (forged.status_code, forged.json()["code"]) == (400, "bad_signature")


# --- Holes the matrix found ------------------------------------------------------------------


def test_removing_a_session_type_that_appointments_use_is_refused_not_a_500(w, sessions):
    """Found by the matrix: the delete hit the appointments' protected foreign key (500)."""
    from sciaticare.directory.models import SessionType

    client = client_for("therapist", sessions)
    url = reverse("directory:remove_session", args=[w.a.session.pk])

    response = client.post(url, follow=True)

    assert response.status_code == 200
    assert "cannot be removed" in response.content.decode()
    assert SessionType.objects.filter(pk=w.a.session.pk).exists()
