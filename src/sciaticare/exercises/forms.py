"""The clinic admin's forms: the exercises therapists may recommend, and a clinic's own exercise."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sciaticare.exercises.models import NAME_MAX_LENGTH, TEXT_MAX_LENGTH, Exercise
from sciaticare.exercises.services.library import ExerciseValues


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
