from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _

from sciaticare.core.widgets import DayInput
from sciaticare.intake import bodymap
from sciaticare.intake.services import IntakeData, IntakeDetails, onset_date_from_weeks
from sciaticare.intake.symptom_check import CheckState
from sciaticare.intake.triage.assessment import AGE_MAX, AGE_MIN, ONSET_WEEKS_MAX
from sciaticare.intake.triage.questions import QUESTIONS, REQUIRED_CODES

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def _pain(label: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=10,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": 10}),
    )


def _choices(mapping: Any) -> list[tuple[str, Any]]:
    """Codes and their words, translated when the form is shown (the words are marked in the
    pure module ``bodymap``)."""
    return [(code, gettext_lazy(words)) for code, words in mapping.items()]


class IntakeDetailsForm(forms.Form):
    """The intake beyond its safety part: where, how it feels, how bad, what changes it, and
    notes (what a patient who booked first adds before the session)."""

    regions = forms.MultipleChoiceField(
        label=_("Where does it hurt?"),
        choices=[(code, gettext_lazy(region.label)) for code, region in bodymap.REGIONS.items()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    qualities = forms.MultipleChoiceField(
        label=_("How does it feel?"),
        choices=_choices(bodymap.QUALITIES),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    back_pain_now = _pain(_("Back pain now"))
    back_pain_average = _pain(_("Back pain on average, past week"))
    back_pain_worst = _pain(_("Back pain at its worst, past week"))
    leg_pain_now = _pain(_("Leg pain now"))
    leg_pain_average = _pain(_("Leg pain on average, past week"))
    leg_pain_worst = _pain(_("Leg pain at its worst, past week"))
    worse_with = forms.MultipleChoiceField(
        label=_("What makes it worse?"),
        choices=_choices(bodymap.WORSE_WITH),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    better_with = forms.MultipleChoiceField(
        label=_("What makes it better?"),
        choices=_choices(bodymap.BETTER_WITH),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    goals = forms.CharField(
        label=_("What would you like to be able to do again?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )
    medications = forms.CharField(
        label=_("Medicines you take (especially blood thinners, steroids, painkillers)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )
    notes = forms.CharField(
        label=_("Anything else your therapist should know"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )

    def to_details(self) -> IntakeDetails:
        d = self.cleaned_data
        return IntakeDetails(
            regions=list(d["regions"]),
            qualities=list(d["qualities"]),
            back_pain=(d["back_pain_now"], d["back_pain_average"], d["back_pain_worst"]),
            leg_pain=(d["leg_pain_now"], d["leg_pain_average"], d["leg_pain_worst"]),
            worse_with=list(d["worse_with"]),
            better_with=list(d["better_with"]),
            goals=d["goals"],
            medications=d["medications"],
            notes=d["notes"],
        )


class IntakeForm(IntakeDetailsForm):
    """The structured intake: where, how it feels, since when, how bad, and every red flag.

    ``from_check`` shows the safety questions answered from the person's symptom check, to be
    confirmed (``confirm_check``) rather than asked again: a recalled answer is never taken
    without the person saying it is right."""

    age = forms.IntegerField(label=_("Your age"), min_value=AGE_MIN, max_value=AGE_MAX)
    onset_date = forms.DateField(label=_("When did this episode begin?"), widget=DayInput())

    def __init__(
        self, *args: Any, today: date | None = None, from_check: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # The patient's own day (accounts.selectors.today_for), which the view passes.
        self.today = today
        self.from_check = from_check
        # Every triage question, answered explicitly (no default: silence is not "no").
        for question in QUESTIONS:
            self.fields[f"q_{question.code}"] = forms.ChoiceField(
                label=gettext(question.text), choices=YES_NO, widget=forms.RadioSelect
            )
        if from_check:
            self.fields["confirm_check"] = forms.BooleanField(
                label=_("I have checked these answers: they are right today."),
                error_messages={
                    "required": _("Please check your answers from the symptom check and confirm.")
                },
            )

    def question_fields(self) -> list[forms.BoundField]:
        return [self[f"q_{q.code}"] for q in QUESTIONS]

    def recalled_fields(self) -> list[forms.BoundField]:
        """The questions the symptom check answered, shown as answers to confirm."""
        return [f for f in self.question_fields() if self.from_check and f.initial]

    def asked_fields(self) -> list[forms.BoundField]:
        """The questions to ask here: all of them, or those the check did not reach."""
        return [f for f in self.question_fields() if not (self.from_check and f.initial)]

    def clean_onset_date(self) -> Any:
        onset = self.cleaned_data["onset_date"]
        today = self.today or timezone.localdate()
        if onset > today:
            raise forms.ValidationError(gettext("The pain cannot have begun in the future."))
        # Triage takes an onset at most ONSET_WEEKS_MAX weeks ago (a lifetime); further back is
        # a typo, and answering it here keeps it from reaching triage as a server error.
        if (today - onset).days / 7 > ONSET_WEEKS_MAX:
            years = int(ONSET_WEEKS_MAX // 52)
            raise forms.ValidationError(
                gettext("Give a date within the last %(years)s years.") % {"years": years}
            )
        return onset

    def to_data(self) -> IntakeData:
        d = self.cleaned_data
        return IntakeData(
            age=d["age"],
            onset_date=d["onset_date"],
            answers={q.code: d[f"q_{q.code}"] == "yes" for q in QUESTIONS},
            **vars(self.to_details()),
        )

    @classmethod
    def initial_from_check(cls, check: CheckState, *, today: date) -> dict[str, Any]:
        """Prefill a first intake from the symptom check this browser carries: age, onset (on
        the patient's own `today`) and the answers it reached, shown for confirmation."""
        initial: dict[str, Any] = {
            f"q_{code}": "yes" if value else "no"
            for code, value in check.answers.items()
            if code in REQUIRED_CODES
        }
        if check.age is not None:
            initial["age"] = check.age
        if check.onset_weeks is not None:
            initial["onset_date"] = onset_date_from_weeks(check.onset_weeks, today)
        return initial

    @classmethod
    def initial_from(cls, intake: Any) -> dict[str, Any]:
        """Prefill an update from the previous intake, so nothing is typed twice."""
        initial: dict[str, Any] = {
            name: getattr(intake, name)
            for name in (
                "age",
                "onset_date",
                "regions",
                "qualities",
                "back_pain_now",
                "back_pain_average",
                "back_pain_worst",
                "leg_pain_now",
                "leg_pain_average",
                "leg_pain_worst",
                "worse_with",
                "better_with",
                "goals",
                "medications",
                "notes",
            )
        }
        for code, value in intake.answers.items():
            initial[f"q_{code}"] = "yes" if value else "no"
        return initial


class ShareForm(forms.Form):
    therapist_email = forms.EmailField(
        label=_("Your therapist's email address"),
        help_text=_(
            "The address of their Sciaticare therapist account. You can withdraw this at any time."
        ),
    )


class QuestionnaireImportForm(forms.Form):
    """The clinic is asked only of an admin who runs more than one: the text is that clinic's."""

    clinic = forms.TypedChoiceField(label=_("For the clinic"), coerce=int, required=False)
    resource = forms.FileField(label=_("FHIR R4 Questionnaire (JSON file)"))
    licence_statement = forms.CharField(
        label=_("Licence"),
        help_text=_("Who holds the licence for this text, and its reference."),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
    )

    def __init__(self, *args: Any, clinics: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["clinic"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(c.pk, c.name) for c in clinics]
        if len(clinics) > 1:
            field.required = True
        else:
            del self.fields["clinic"]

    def clean_resource(self) -> Any:
        upload = self.cleaned_data["resource"]
        if upload.size > 1_000_000:
            raise forms.ValidationError(gettext("The file is larger than 1 MB."))
        return upload
