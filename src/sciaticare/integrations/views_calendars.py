"""The therapist's own calendar page: connect a CalDAV calendar, see how its reads and writes
went, read it now, disconnect it. Therapists only (403 for anyone else)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from sciaticare.accounts.models import Role
from sciaticare.accounts.types import AuthedRequest
from sciaticare.core.errors import Conflict, Invalid
from sciaticare.directory.models import TherapistProfile
from sciaticare.directory.selectors.profile import own_profile
from sciaticare.integrations.addresses import MAX_LENGTH
from sciaticare.integrations.selectors.calendars import calendar_status, connection_of
from sciaticare.integrations.services import calendars


class ConnectCalendarForm(forms.Form):
    server_url = forms.CharField(
        label=_("Calendar server address"),
        max_length=MAX_LENGTH,
        help_text=_(
            "iCloud: https://caldav.icloud.com/ · Fastmail: https://caldav.fastmail.com/ · "
            "Nextcloud: https://your-server/remote.php/dav/ · Google: "
            "https://apple.caldav.google.com/caldav/v2/your-address/events (if your account "
            "allows app passwords)."
        ),
        widget=forms.URLInput(attrs={"autocomplete": "url", "inputmode": "url"}),
    )
    username = forms.CharField(
        label=_("User name"),
        max_length=200,
        help_text=_("Usually your e-mail address with that provider."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("App password"),
        max_length=200,
        help_text=_(
            "Make an app password for Sciaticare in your provider's security settings: not "
            "your main password. It is stored encrypted."
        ),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


def _therapist(request: AuthedRequest) -> TherapistProfile | None:
    if not request.user.has_role(Role.THERAPIST):
        raise PermissionDenied
    return own_profile(user=request.user)


def _page(
    request: AuthedRequest,
    profile: TherapistProfile | None,
    form: ConnectCalendarForm | None = None,
    status: int = 200,
) -> HttpResponse:
    state = calendar_status(therapist=profile, now=timezone.now()) if profile is not None else None
    return render(
        request,
        "integrations/calendar.html",
        {
            "has_profile": profile is not None,
            "state": state,
            "form": form or ConnectCalendarForm(),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def calendar_page(request: AuthedRequest) -> HttpResponse:
    profile = _therapist(request)
    if request.method == "GET" or profile is None:
        return _page(request, profile)
    form = ConnectCalendarForm(request.POST)
    if not form.is_valid():
        return _page(request, profile, form, status=422)
    try:
        connected = calendars.connect_calendar(
            therapist=profile,
            server_url=form.cleaned_data["server_url"],
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
        )
    except Invalid as exc:
        form.add_error(None, exc.message)
        return _page(request, profile, form, status=422)
    messages.success(
        request,
        gettext("Connected to the calendar “%(name)s”.")
        % {"name": connected.connection.calendar_name or connected.connection.calendar_url},
    )
    if connected.others:
        messages.info(
            request,
            ngettext(
                "The account has %(count)d other calendar: choose it below if you keep your "
                "appointments there.",
                "The account has %(count)d other calendars: choose one below if you keep your "
                "appointments there.",
                len(connected.others),
            )
            % {"count": len(connected.others)},
        )
    return redirect("integrations:calendar")


@login_required
@require_http_methods(["GET", "POST"])
def choose(request: AuthedRequest) -> HttpResponse:
    """Which calendar of the account is used (listed from the server)."""
    profile = _therapist(request)
    connection = connection_of(profile) if profile is not None else None
    if connection is None or profile is None:
        messages.error(request, gettext("No calendar is connected."))
        return redirect("integrations:calendar")
    try:
        if request.method == "POST":
            chosen = calendars.choose_calendar(
                therapist=profile, calendar_url=request.POST.get("calendar_url", "")[:MAX_LENGTH]
            )
            messages.success(
                request,
                gettext("Now using the calendar “%(name)s”.")
                % {"name": chosen.calendar_name or chosen.calendar_url},
            )
            return redirect("integrations:calendar")
        found = calendars.account_calendars(therapist=profile)
    except Invalid as exc:
        messages.error(request, exc.message)
        return redirect("integrations:calendar")
    return render(
        request,
        "integrations/calendar_choose.html",
        {"calendars": found, "current": connection.calendar_url},
    )


@login_required
@require_POST
def read_now(request: AuthedRequest) -> HttpResponse:
    profile = _therapist(request)
    connection = connection_of(profile) if profile is not None else None
    if connection is None:
        messages.error(request, gettext("No calendar is connected."))
        return redirect("integrations:calendar")
    if calendars.read_calendar(connection_id=connection.pk, timeout=calendars.BACKGROUND_TIMEOUT):
        messages.success(request, gettext("Busy times read from your calendar."))
    else:
        messages.error(request, gettext("Your calendar could not be read: see below."))
    return redirect("integrations:calendar")


@login_required
@require_http_methods(["GET", "POST"])
def disconnect(request: AuthedRequest) -> HttpResponse:
    profile = _therapist(request)
    connection = connection_of(profile) if profile is not None else None
    if connection is None or profile is None:
        messages.error(request, gettext("No calendar is connected."))
        return redirect("integrations:calendar")
    if request.method == "GET":
        return render(request, "integrations/calendar_disconnect.html", {"connection": connection})
    try:
        done = calendars.disconnect_calendar(therapist=profile)
    except Conflict as exc:
        messages.error(request, exc.message)
        return redirect("integrations:calendar")
    if done.left_behind:
        messages.warning(
            request,
            ngettext(
                "Disconnected. %(count)d session could not be removed from that calendar: "
                "remove it there yourself.",
                "Disconnected. %(count)d sessions could not be removed from that calendar: "
                "remove them there yourself.",
                done.left_behind,
            )
            % {"count": done.left_behind},
        )
    else:
        messages.success(request, gettext("Disconnected; your sessions were removed from it."))
    return redirect("integrations:calendar")
