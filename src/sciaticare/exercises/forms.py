"""The exercises app's forms: the clinic admin's (the exercises therapists may recommend, a
clinic's own exercise), the treating therapist's programme form (which exercises, each one's
dose and days, the start and review dates and a note to the client) and the patient's (a
programme they were given, a tick, a pause). A programme's rules are the service's
(services.plans); a form reads what was typed and says what it cannot read."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, cast

from babel.dates import get_day_names
from django import forms
from django.forms.utils import ErrorDict
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from sciaticare.core.bounds import whole_number
from sciaticare.core.display import locale
from sciaticare.core.widgets import DayInput
from sciaticare.exercises.adherence import EVERY_DAY
from sciaticare.exercises.models import (
    MAX_ITEMS,
    NAME_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    Exercise,
    LegPain,
    PlanItem,
)
from sciaticare.exercises.services.library import ExerciseValues
from sciaticare.exercises.services.plans import (
    INSTRUCTIONS_MAX_LENGTH,
    MAX_MINUTES,
    MAX_REPETITIONS,
    MAX_SETS,
    MAX_TIMES_PER_DAY,
    ItemInput,
)

# --- The clinic admin's ------------------------------------------------------------------------


class ScopeForm(forms.Form):
    """The ticked exercises (ids of the clinic's library: built-in and its own)."""

    exercises = forms.TypedMultipleChoiceField(
        label=_("Exercises your therapists may recommend"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, choices: Iterable[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["exercises"]
        field.choices = [(str(pk), str(pk)) for pk in choices]  # type: ignore[attr-defined]


class OwnExerciseForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX_LENGTH)
    how_to = forms.CharField(
        label=_("How to do it"),
        help_text=_("One step a line; the page numbers them."),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    how_often = forms.CharField(
        label=_("How often"),
        help_text=_("For example: twice a day."),
        max_length=300,
        required=False,
    )
    how_many = forms.CharField(
        label=_("How many"),
        help_text=_("For example: 10 times, holding each for 5 seconds."),
        max_length=300,
        required=False,
    )
    when_to_stop = forms.CharField(
        label=_("When to stop"),
        help_text=_(
            "What is particular to this exercise. The stop rule every exercise carries is "
            "added on its own."
        ),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    source = forms.CharField(
        label=_("Source"),
        help_text=_("Where it comes from: a guideline, a review or a textbook."),
        max_length=500,
        required=False,
    )
    timed = forms.BooleanField(
        label=_("Counted in minutes (like walking), not in repetitions"), required=False
    )

    @classmethod
    def initial_of(cls, exercise: Exercise) -> dict[str, Any]:
        return {name: getattr(exercise, name) for name in cls.base_fields}

    def values(self) -> ExerciseValues:
        return ExerciseValues(**self.cleaned_data)


# --- The patient's programme: entering one, a new version ------------------------------------

#: The exercise choice that means "one of my own, written below".
OWN = "own"
#: Rows shown for a new programme, and added each time "More exercises" is pressed.
ROWS_AT_A_TIME = 3
DATE = DayInput()


def _number(label: Any, low: int, high: int, **kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=low,
        max_value=high,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "narrow"}),
        **kwargs,
    )


class ProgrammeForm(forms.Form):
    """Who gave the programme, and its dates."""

    prescriber = forms.CharField(
        label=_("Who gave you this programme? (optional)"),
        help_text=_("For example: my physiotherapist, or Dr Shah."),
        max_length=NAME_MAX_LENGTH,
        required=False,
    )
    start_date = forms.DateField(label=_("Start"), widget=DATE)
    review_date = forms.DateField(
        label=_("Review (optional)"),
        help_text=_("When you will go over it with them again."),
        widget=DATE,
        required=False,
    )


class ItemForm(forms.Form):
    """One exercise of the programme: one from the library (or written down before), or the
    patient's own, with its dose and days. A row left without an exercise is skipped."""

    exercise = forms.ChoiceField(label=_("Exercise"), required=False)
    own_name = forms.CharField(
        label=_("Or write its name"),
        help_text=_("When it is not in the list: its name as you were given it."),
        max_length=NAME_MAX_LENGTH,
        required=False,
    )
    own_how_to = forms.CharField(
        label=_("How to do it"),
        help_text=_("One step a line."),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    repetitions = _number(_("Repetitions"), 0, MAX_REPETITIONS, required=False)
    sets = _number(_("Sets"), 1, MAX_SETS, initial=1)
    minutes = _number(
        _("Minutes"),
        0,
        MAX_MINUTES,
        required=False,
        help_text=_("For an exercise done for a time, such as walking: leave repetitions empty."),
    )
    times_per_day = _number(_("Times a day"), 1, MAX_TIMES_PER_DAY, initial=1)
    days = forms.TypedMultipleChoiceField(
        label=_("Days"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        initial=list(range(7)),
    )
    instructions = forms.CharField(
        label=_("Anything else you were told (optional)"),
        max_length=INSTRUCTIONS_MAX_LENGTH,
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        exercises: Sequence[tuple[int, str]] = (),
        own: Sequence[tuple[int, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        exercise = self.fields["exercise"]
        choices: list[tuple[Any, Any]] = [("", _("(none)"))]
        library = [(str(pk), name) for pk, name in exercises]
        yours = [(str(pk), name) for pk, name in own]
        if yours:  # the library's and the person's own apart, so neither passes for the other
            choices += [(_("The library"), library), (_("Your own exercises"), yours)]
        else:
            choices += library
        exercise.choices = [*choices, (OWN, _("Not in this list: I write it below"))]  # type: ignore[attr-defined]
        names = get_day_names("wide", locale=locale())
        self.fields["days"].choices = [(n, str(names[n]).capitalize()) for n in range(7)]  # type: ignore[attr-defined]

    @property
    def left_empty(self) -> bool:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return not data.get("exercise") and not str(data.get("own_name") or "").strip()

    def as_input(self) -> ItemInput:
        data = self.cleaned_data
        chosen = data["exercise"]
        own = chosen in ("", OWN)
        return ItemInput(
            exercise_id=None if own else int(chosen),
            repetitions=data.get("repetitions") or 0,
            sets=data.get("sets") or 1,
            minutes=data.get("minutes") or 0,
            times_per_day=data.get("times_per_day") or 1,
            days=sum(1 << n for n in set(data.get("days") or [])) & EVERY_DAY,
            instructions=data.get("instructions") or "",
            own_name=data.get("own_name", "") if own else "",
            own_how_to=data.get("own_how_to", "") if own else "",
        )


class BaseItemFormSet(forms.BaseFormSet[ItemForm]):
    def __init__(
        self,
        *args: Any,
        exercises: Sequence[tuple[int, str]] = (),
        own: Sequence[tuple[int, str]] = (),
        **kwargs: Any,
    ) -> None:
        self.exercises = exercises
        self.own = own
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "exercises": self.exercises, "own": self.own}

    def filled(self) -> list[tuple[int, ItemForm]]:
        """(row index, form) of each row with an exercise, in order (after is_valid())."""
        return [(i, f) for i, f in enumerate(self.forms) if not f.left_empty]


ItemFormSet = cast(
    type[BaseItemFormSet],
    forms.formset_factory(
        ItemForm,
        formset=BaseItemFormSet,
        extra=0,
        max_num=MAX_ITEMS,
        absolute_max=MAX_ITEMS,
        validate_max=True,
    ),
)


def item_initial(items: Iterable[PlanItem]) -> list[dict[str, Any]]:
    """A version's exercises as the rows of the form that writes the next version."""
    return [
        {
            "exercise": str(item.exercise_id),
            "repetitions": item.repetitions or None,
            "sets": item.sets,
            "minutes": item.minutes or None,
            "times_per_day": item.times_per_day,
            "days": [n for n in range(7) if item.days >> n & 1],
            "instructions": item.instructions,
        }
        for item in items
    ]


BLANK_ROW: dict[str, Any] = {"sets": 1, "times_per_day": 1, "days": list(range(7))}


# --- A tick, a pause ---------------------------------------------------------------------------


class TickForm(forms.Form):
    """One exercise done (or not) today, with how the leg felt after."""

    exercise = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    #: "no" says it was not done after all; anything else (a tap on "Done") that it was.
    done = forms.ChoiceField(choices=[("yes", "yes"), ("no", "no")], required=False)
    leg_pain = forms.ChoiceField(
        label=_("How was your leg pain after?"),
        choices=[("", _("Not said")), *LegPain.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    spread_down_leg = forms.BooleanField(
        label=_("The pain spread further down my leg"), required=False
    )


class ExerciseForm(forms.Form):
    """Which exercise of the programme (pause, resume)."""

    exercise = forms.IntegerField(min_value=1, max_value=2**31 - 1)


# --- The treating therapist's programme ----------------------------------------------------

#: Monday first, as the weekday mask counts (bit 0 Monday).
WEEKDAY_CHOICES = [(n, WEEKDAYS[n]) for n in range(7)]


def days_of(mask: int) -> list[int]:
    return [n for n in range(7) if mask >> n & 1]


class ExerciseIdsField(forms.Field):
    """The ticked exercises, as ids in the order given. Any id is read here: whether the
    clinic lets its therapists recommend it is the service's to say."""

    widget = forms.CheckboxSelectMultiple
    default_error_messages = {"invalid": _("Choose exercises from the list.")}

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        if not isinstance(value, list | tuple):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        ids: list[int] = []
        for raw in value:
            number = whole_number(str(raw))
            if number is None:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
            if number not in ids:
                ids.append(number)
        return ids


class PrescriptionForm(forms.Form):
    exercises = ExerciseIdsField(required=False)
    start_date = forms.DateField(label=_("Start"), widget=DayInput())
    review_date = forms.DateField(
        label=_("Review"),
        required=False,
        help_text=_("When you mean to look at the programme again with the client."),
        widget=DayInput(),
    )
    note = forms.CharField(
        label=_("A note to the client (optional)"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    #: What the form was filled from ("<plan>:<version>"): a save on top of a newer version is
    #: shown again first.
    based_on = forms.CharField(required=False, max_length=50, widget=forms.HiddenInput)


class PrescribedItemForm(forms.Form):
    """One exercise's dose and days, prefixed by the exercise ("ex12-sets"). Read only when the
    exercise is ticked: an unticked row's fields are left as typed, unjudged."""

    repetitions = forms.IntegerField(
        label=_("Repetitions"), min_value=1, max_value=MAX_REPETITIONS, required=False
    )
    sets = forms.IntegerField(label=_("Sets"), min_value=1, max_value=MAX_SETS, required=False)
    minutes = forms.IntegerField(
        label=_("Minutes"), min_value=1, max_value=MAX_MINUTES, required=False
    )
    times_per_day = forms.IntegerField(
        label=_("Times a day"), min_value=1, max_value=MAX_TIMES_PER_DAY
    )
    days = forms.TypedMultipleChoiceField(
        label=_("Days"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    instructions = forms.CharField(
        label=_("Words for this client (optional)"),
        required=False,
        max_length=INSTRUCTIONS_MAX_LENGTH,
    )

    def __init__(self, *args: Any, timed: bool, chosen: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.timed, self.chosen = timed, chosen
        for name in ("repetitions", "sets") if timed else ("minutes",):
            del self.fields[name]

    def full_clean(self) -> None:
        if not self.chosen:
            self._errors, self.cleaned_data = ErrorDict(), {}
            return
        super().full_clean()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.timed and not data.get("minutes") and "minutes" not in self.errors:
            self.add_error("minutes", _("Give the minutes."))
        if not self.timed:
            if not data.get("repetitions") and "repetitions" not in self.errors:
                self.add_error("repetitions", _("Give the repetitions."))
            if not data.get("sets") and "sets" not in self.errors:
                self.add_error("sets", _("Give the sets."))
        if not data.get("days") and "days" not in self.errors:
            self.add_error("days", _("Choose at least one day."))
        return data

    def item(self, exercise_id: int) -> ItemInput:
        data = self.cleaned_data
        return ItemInput(
            exercise_id=exercise_id,
            repetitions=0 if self.timed else data.get("repetitions") or 0,
            sets=1 if self.timed else data.get("sets") or 1,
            minutes=(data.get("minutes") or 0) if self.timed else 0,
            times_per_day=data.get("times_per_day") or 1,
            days=sum(1 << n for n in data.get("days") or []) or EVERY_DAY,
            instructions=data.get("instructions") or "",
        )


def prescribed_item_initial(
    *,
    repetitions: int,
    sets: int,
    minutes: int,
    times_per_day: int,
    days: int = EVERY_DAY,
    instructions: str = "",
) -> dict[str, Any]:
    return {
        "repetitions": repetitions or None,
        "sets": sets,
        "minutes": minutes or None,
        "times_per_day": times_per_day,
        "days": days_of(days),
        "instructions": instructions,
    }


def prescription_initial(
    *, chosen: Sequence[int], start: date, review: date | None, note: str, based_on: str
) -> dict[str, Any]:
    return {
        "exercises": list(chosen),
        "start_date": start,
        "review_date": review,
        "note": note,
        "based_on": based_on,
    }
