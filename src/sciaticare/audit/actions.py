"""What each audit action code means, in the words a patient reads in their access history.

Every code ``record_event`` is called with in ``src/`` has words here
(``tests/audit/test_access_history.py`` fails on a new code without them). Appointment codes are
``appointment.<kind>`` for each kind of ``scheduling.models.AppointmentChange``. The words are
English constants (``gettext_noop``), translated when shown (``words_for``, docs/i18n.md).
"""

from __future__ import annotations

from sciaticare.core.translation import gettext, gettext_noop

WORDS: dict[str, str] = {
    # Intake and consent
    "intake.create": gettext_noop("filled in an intake"),
    "intake.details": gettext_noop("finished an intake begun at booking"),
    "intake.doctor_cleared": gettext_noop("confirmed that a doctor cleared massage"),
    "intake.recheck": gettext_noop("answered the red-flag questions again before booking"),
    "intake.brief.view": gettext_noop("read the brief made from your intake"),
    "consent.grant": gettext_noop("shared your intake with a therapist's email address"),
    "consent.revoke": gettext_noop("stopped sharing your intake"),
    "questionnaire.create": gettext_noop("answered a questionnaire"),
    # Session notes
    "note.prefill": gettext_noop("read your intake and diary to start your session note"),
    "note.create": gettext_noop("started your session note"),
    "note.update": gettext_noop("edited your session note"),
    "note.view": gettext_noop("opened your session note"),
    "note.sign": gettext_noop("signed your session note"),
    "note.amend": gettext_noop("added an amendment to your session note"),
    # Diary, outcomes and reports
    "diary.create": gettext_noop("added a pain diary entry"),
    "diary.update": gettext_noop("changed a pain diary entry"),
    "outcomes.view": gettext_noop("looked at your pain charts and scores"),
    "outcomes.practice.view": gettext_noop("looked at a practice's outcome figures"),
    "report.request": gettext_noop("asked for a progress report"),
    "report.generate": gettext_noop("made your progress report (PDF)"),
    "report.share": gettext_noop("sent a doctor a link to your progress report"),
    "report.share.stop": gettext_noop("stopped a link to your progress report"),
    "report.share.open": gettext_noop("opened your progress report from the link you sent"),
    # Home exercise programmes
    "exercise_plan.create": gettext_noop("wrote a home exercise programme"),
    "exercise_plan.version": gettext_noop("changed a home exercise programme (a new version)"),
    "exercise_plan.end": gettext_noop("ended a home exercise programme"),
    "exercise_plan.list": gettext_noop("saw your home exercise programmes in a list"),
    "exercise_plan.view": gettext_noop("looked at your home exercise programme"),
    "exercise_plan.flags.view": gettext_noop(
        "saw an exercise flagged for a look (pain spreading or worse)"
    ),
    "exercise_plan.progress.view": gettext_noop(
        "looked at your home exercises: which days you did them, and your leg pain on those days"
    ),
    "exercise.log": gettext_noop("ticked an exercise done or not done"),
    "exercise.log.update": gettext_noop("changed a tick of an exercise"),
    "exercise.pause": gettext_noop("paused an exercise"),
    "exercise.resume": gettext_noop("took up a paused exercise again"),
    # Exports and imports
    "fhir.export": gettext_noop("exported your health record"),
    "fhir.import": gettext_noop("imported health records into your account"),
    "export.request": gettext_noop("asked for a copy of all your data"),
    "export.generate": gettext_noop("made the copy of all your data"),
    "export.download": gettext_noop("downloaded the copy of all your data"),
    # Money
    "billing.invoice": gettext_noop("issued you an invoice"),
    "billing.credit_note": gettext_noop("issued you a credit note (a correction of an invoice)"),
    "billing.card_saved": gettext_noop("saved a card for payments to a clinic"),
    "billing.paid": gettext_noop("recorded a payment"),
    "billing.refund": gettext_noop("gave money back"),
    "billing.policy": gettext_noop("changed a clinic's payment policy"),
    "calendar.connected": gettext_noop("connected their own calendar"),
    "calendar.disconnected": gettext_noop("disconnected their own calendar"),
    "booking_policy.update": gettext_noop("changed a clinic's cancellation window"),
    "billing.invoice.view": gettext_noop("opened your invoice or receipt"),
    "billing.invoice.list": gettext_noop("saw your invoices in a list"),
    "billing.payment.view": gettext_noop("opened your payment to give some of it back"),
    "billing.takings.view": gettext_noop("saw your payments in the clinic's takings"),
    "billing.takings.export": gettext_noop(
        "exported the clinic's takings, with your payments, for its accountant"
    ),
    # Exercise library: a clinic's choice and its own exercises (no patient's data)
    "exercises.scope": gettext_noop("changed which exercises a clinic's therapists may recommend"),
    "exercises.own.add": gettext_noop("added an exercise to a clinic's library"),
    "exercises.own.edit": gettext_noop("changed an exercise in a clinic's library"),
    "exercises.own.remove": gettext_noop("removed an exercise from a clinic's library"),
    # Directory and calendar
    "directory.flare_up_plan.view": gettext_noop("looked at your flare-up plan"),
    "calendar_feed.created": gettext_noop("made a calendar link"),
    "calendar_feed.regenerated": gettext_noop("replaced a calendar link"),
    "calendar_feed.read": gettext_noop("read the calendar feed (a calendar app)"),
    # Waitlist
    "waitlist.joined": gettext_noop("joined a waitlist"),
    "waitlist.left": gettext_noop("left a waitlist"),
    "waitlist.offered": gettext_noop("offered you a session from the waitlist"),
    "waitlist.declined": gettext_noop("declined a waitlist offer"),
    # Appointments
    "appointment.booked": gettext_noop("booked a session"),
    "appointment.cancelled": gettext_noop("cancelled a session"),
    "appointment.late_cancelled": gettext_noop(
        "cancelled a session inside the cancellation window"
    ),
    "appointment.rescheduled": gettext_noop("moved a session"),
    "appointment.completed": gettext_noop("marked a session attended"),
    "appointment.no_show": gettext_noop("marked a session missed"),
    "appointment.held": gettext_noop("held a session for a waitlist offer"),
    "appointment.offer_declined": gettext_noop(
        "released a session held for a waitlist offer (declined)"
    ),
    "appointment.offer_expired": gettext_noop(
        "released a session held for a waitlist offer (expired)"
    ),
    "appointment.held_for_deposit": gettext_noop("held a session while its deposit is paid"),
    "appointment.deposit_failed": gettext_noop(
        "released a session held for its deposit (the payment failed)"
    ),
    "appointment.hold_expired": gettext_noop(
        "released a session held for its deposit (the time ran out)"
    ),
    "appointment.hold_replaced": gettext_noop(
        "released a session held for its deposit (another was booked)"
    ),
    "appointment.deposit_released": gettext_noop(
        "released a session held for its deposit (the patient let it go)"
    ),
    # A clinic's webhooks (integrations app: no patient's data)
    "webhook.add": gettext_noop("added a webhook address to a clinic"),
    "webhook.change": gettext_noop("changed a clinic's webhook address"),
    "webhook.secret": gettext_noop("made a new secret for a clinic's webhook address"),
    "webhook.remove": gettext_noop("deleted a clinic's webhook address"),
    "import.upload": gettext_noop("uploaded a file from the clinic's old system"),
    "import.done": gettext_noop("imported a file from the clinic's old system"),
    "import.discard": gettext_noop("discarded a file from the clinic's old system"),
    "imported_summary.create": gettext_noop(
        "brought in a summary of your past session from the clinic's old system"
    ),
    "imported_summary.read": gettext_noop(
        "read a summary of your past session from the clinic's old system"
    ),
    # Account
    "account.delete.request": gettext_noop("asked to delete the account"),
    "account.delete.cancel": gettext_noop("cancelled the account deletion"),
    "account.delete.done": gettext_noop("deleted the account"),
}

# Actions that are one kind of visit: a sitting's first save and its autosaves are one edit.
SAME_KIND: dict[str, str] = {"note.create": "note.update"}

# How a sitting with several events counts them ("12 saves").
EDITS = frozenset({"note.update", "diary.update", "exercise.log.update"})


def words_for(action: str) -> str:
    """The words for a code, in the reader's language; an unknown code (a newer version's log)
    is still shown, plainly."""
    if action in WORDS:
        return gettext(WORDS[action])
    return gettext("did something with your records (%(action)s)") % {"action": action}


def kind_of(action: str) -> str:
    return SAME_KIND.get(action, action)
