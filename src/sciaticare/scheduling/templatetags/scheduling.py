from datetime import datetime

from django import template
from django.templatetags.tz import do_timezone

from sciaticare.directory.models import Location
from sciaticare.scheduling import history

register = template.Library()


@register.filter
def in_zone(moment: datetime, location: Location) -> datetime:
    """`{{ appointment.start|in_zone:appointment.location|date:"H:i T" }}`: the location's
    local time with its zone named (not converted back to UTC by the date filter)."""
    return do_timezone(moment, location.time_zone)


@register.filter
def change_words(kind: str) -> str:
    """`{{ change.kind|change_words }}`: a kind of appointment change in words."""
    return history.change_words(kind)


@register.filter
def change_note(note: str) -> str:
    """`{{ change.note|change_note }}`: a note the services wrote, in the page's language; what
    a person typed, as typed."""
    return history.note_words(note)
