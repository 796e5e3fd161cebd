"""What each audit action code means, in the words a patient reads in their access history.

Every code ``record_event`` is called with in ``src/`` has words here
(``tests/audit/test_access_history.py`` fails on a new code without them). Appointment codes are
``appointment.<kind>`` for each kind of ``scheduling.models.AppointmentChange``.
"""

from __future__ import annotations

WORDS: dict[str, str] = {
    # Intake and consent
    "intake.create": "filled in an intake",
    "intake.doctor_cleared": "confirmed that a doctor cleared massage",
    "intake.recheck": "answered the red-flag questions again before booking",
    "intake.brief.view": "read the brief made from your intake",
    "consent.grant": "shared your intake with a therapist's email address",
    "consent.revoke": "stopped sharing your intake",
    "questionnaire.create": "answered a questionnaire",
    # Session notes
    "note.prefill": "read your intake and diary to start your session note",
    "note.create": "started your session note",
    "note.update": "edited your session note",
    "note.view": "opened your session note",
    "note.sign": "signed your session note",
    "note.amend": "added an amendment to your session note",
    # Diary, outcomes and reports
    "diary.create": "added a pain diary entry",
    "diary.update": "changed a pain diary entry",
    "outcomes.view": "looked at your pain charts and scores",
    "outcomes.practice.view": "looked at a practice's outcome figures",
    "report.request": "asked for a progress report",
    "report.generate": "made your progress report (PDF)",
    "report.share": "sent a doctor a link to your progress report",
    "report.share.stop": "stopped a link to your progress report",
    "report.share.open": "opened your progress report from the link you sent",
    # Exports and imports
    "fhir.export": "exported your health record",
    "fhir.import": "imported health records into your account",
    "export.request": "asked for a copy of all your data",
    "export.generate": "made the copy of all your data",
    "export.download": "downloaded the copy of all your data",
    # Money
    "billing.invoice": "issued you an invoice",
    "billing.credit_note": "issued you a credit note (a correction of an invoice)",
    "billing.card_saved": "saved a card for payments to a clinic",
    "billing.paid": "recorded a payment",
    "billing.refund": "gave money back",
    "billing.policy": "changed a clinic's payment policy",
    "booking_policy.update": "changed a clinic's cancellation window",
    "billing.invoice.view": "opened your invoice or receipt",
    "billing.invoice.list": "saw your invoices in a list",
    "billing.payment.view": "opened your payment to give some of it back",
    "billing.takings.view": "saw your payments in the clinic's takings",
    "billing.takings.export": "exported the clinic's takings, with your payments, for its accountant",
    # Directory and calendar
    "directory.flare_up_plan.view": "looked at your flare-up plan",
    "calendar_feed.created": "made a calendar link",
    "calendar_feed.regenerated": "replaced a calendar link",
    "calendar_feed.read": "read the calendar feed (a calendar app)",
    # Waitlist
    "waitlist.joined": "joined a waitlist",
    "waitlist.left": "left a waitlist",
    "waitlist.offered": "offered you a session from the waitlist",
    "waitlist.declined": "declined a waitlist offer",
    # Appointments
    "appointment.booked": "booked a session",
    "appointment.cancelled": "cancelled a session",
    "appointment.late_cancelled": "cancelled a session inside the cancellation window",
    "appointment.rescheduled": "moved a session",
    "appointment.completed": "marked a session attended",
    "appointment.no_show": "marked a session missed",
    "appointment.held": "held a session for a waitlist offer",
    "appointment.offer_declined": "released a session held for a waitlist offer (declined)",
    "appointment.offer_expired": "released a session held for a waitlist offer (expired)",
    "appointment.held_for_deposit": "held a session while its deposit is paid",
    "appointment.deposit_failed": "released a session held for its deposit (the payment failed)",
    "appointment.hold_expired": "released a session held for its deposit (the time ran out)",
    "appointment.hold_replaced": "released a session held for its deposit (another was booked)",
    "appointment.deposit_released": "released a session held for its deposit (the patient let it go)",
    # Account
    "account.delete.request": "asked to delete the account",
    "account.delete.cancel": "cancelled the account deletion",
    "account.delete.done": "deleted the account",
}

# Actions that are one kind of visit: a sitting's first save and its autosaves are one edit.
SAME_KIND: dict[str, str] = {"note.create": "note.update"}

# How a sitting with several events counts them ("12 saves").
EDITS = frozenset({"note.update", "diary.update"})


def words_for(action: str) -> str:
    """The words for a code; an unknown code (a newer version's log) is still shown, plainly."""
    return WORDS.get(action, f"did something with your records ({action})")


def kind_of(action: str) -> str:
    return SAME_KIND.get(action, action)
