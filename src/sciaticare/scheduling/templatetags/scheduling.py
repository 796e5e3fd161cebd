from datetime import datetime

from django import template
from django.templatetags.tz import do_timezone

from sciaticare.directory.models import Location

register = template.Library()


@register.filter
def in_zone(moment: datetime, location: Location) -> datetime:
    """`{{ appointment.start|in_zone:appointment.location|date:"H:i T" }}`: the location's
    local time with its zone named (not converted back to UTC by the date filter)."""
    return do_timezone(moment, location.time_zone)
