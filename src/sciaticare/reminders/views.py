"""The reminders page (each person's own: channels per kind, quiet hours, mobile number, devices),
the page script's push subscription, and the text-message provider's webhook for replies."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from sciaticare.accounts import services as account_services
from sciaticare.accounts.forms import PhoneForm
from sciaticare.accounts.selectors import local_now, zone_name
from sciaticare.accounts.types import AuthedRequest
from sciaticare.core import ratelimits
from sciaticare.core.errors import DomainError, NotFound
from sciaticare.reminders import push, selectors, sms, wording
from sciaticare.reminders.forms import DeviceForm, PreferencesForm
from sciaticare.reminders.models import Channel
from sciaticare.reminders.services import devices, preferences, replies

#: What a device is called on the page, by its push service (the browser it is).
_PUSH_SERVICES: dict[str, str | Promise] = {
    "fcm.googleapis.com": gettext_lazy("Chrome, Edge or another Chromium browser"),
    "updates.push.services.mozilla.com": "Firefox",
    "notify.windows.com": "Windows",
    "push.apple.com": "Safari",
}


def device_label(endpoint: str) -> str:
    host = (urlsplit(endpoint).hostname or "").lower()
    for service, label in _PUSH_SERVICES.items():
        if host == service or host.endswith("." + service):
            return str(label)
    return host


def _page(
    request: AuthedRequest,
    *,
    form: PreferencesForm | None = None,
    phone_form: PhoneForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    reach = selectors.reachable(user)
    form = form or PreferencesForm(
        initial=PreferencesForm.initial_for(
            selectors.choices_of(user), selectors.quiet_hours_of(user)
        )
    )
    return render(
        request,
        "reminders/settings.html",
        {
            "form": form,
            "phone_form": phone_form or PhoneForm(user=user),
            "channels": list(Channel),
            "can_mail": Channel.EMAIL in reach,
            "sms_on_site": sms.is_on(),
            "opted_out": selectors.is_opted_out(user.phone),
            "push_on_site": push.is_ready(),
            "vapid_public_key": settings.VAPID_PUBLIC_KEY,
            "devices": [
                (device, device_label(device.endpoint)) for device in selectors.live_devices(user)
            ],
            "local_now": local_now(user),
            "zone": zone_name(user),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: AuthedRequest) -> HttpResponse:
    """The person's own reminder settings; anyone signed in has them (patients get session
    reminders, and staff choose for themselves too)."""
    if request.method == "GET":
        return _page(request)
    form = PreferencesForm(request.POST)
    if not form.is_valid():
        return _page(request, form=form, status=400)
    preferences.save_preferences(
        user=request.user,
        choices=form.choices(),
        quiet_start=form.cleaned_data["quiet_start"],
        quiet_end=form.cleaned_data["quiet_end"],
    )
    messages.success(request, _("Your reminder settings are saved."))
    return redirect("reminders:settings")


@login_required
@require_POST
def phone(request: AuthedRequest) -> HttpResponse:
    """The mobile number, as on the account page (accounts owns it), kept from here."""
    form = PhoneForm(request.POST, user=request.user)
    if not form.is_valid():
        return _page(request, phone_form=form, status=400)
    account_services.set_phone(user=request.user, phone=form.cleaned_data["phone"])
    messages.success(
        request,
        _("Your mobile number is saved.")
        if request.user.phone
        else _("Your mobile number is removed."),
    )
    return redirect("reminders:settings")


@login_required
@require_POST
def add_device(request: AuthedRequest) -> JsonResponse:
    """This browser's push subscription, posted by reminders/push.js: 201 with its id, or 400
    (a field missing or too long) or 422 (a push service we do not send to, bad keys) with the
    reason."""
    form = DeviceForm(request.POST)
    if not form.is_valid():
        return JsonResponse(
            {
                "code": "invalid",
                "errors": {name: [str(e) for e in errs] for name, errs in form.errors.items()},
            },
            status=400,
        )
    try:
        device = devices.add_device(
            user=request.user,
            endpoint=form.cleaned_data["endpoint"],
            p256dh=form.cleaned_data["p256dh"],
            auth=form.cleaned_data["auth"],
            expires_at=form.expires_at(),
        )
    except DomainError as exc:
        return JsonResponse({"code": exc.code, "detail": exc.message}, status=exc.status)
    return JsonResponse({"device": device.pk}, status=201)


@login_required
@require_POST
def remove_device(request: AuthedRequest, device_id: int) -> HttpResponse:
    try:
        devices.remove_device(user=request.user, device_id=device_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    messages.success(request, _("That device will get no more notifications."))
    return redirect("reminders:settings")


# --- The text-message provider's webhook ------------------------------------------------------


def _twiml(reply: str | None) -> HttpResponse:
    answer = MessagingResponse()
    if reply:
        answer.message(reply)
    return HttpResponse(str(answer), content_type="text/xml; charset=utf-8")


@csrf_exempt  # Twilio has no session and no CSRF token: its signature is the credential
@require_POST
def sms_inbound(request: HttpRequest) -> HttpResponse:
    """A reply to one of our texts, as Twilio posts it (form fields From, Body, …). The
    X-Twilio-Signature header must be Twilio's HMAC of our public URL and the fields with the
    account's auth token: anything else is a 403. STOP and START act on the sender's number
    (replies.py); the answer is TwiML."""
    wait = ratelimits.hit(scope="sms_inbound", ident=f"ip:{ratelimits.client_ip(request)}")
    if wait is not None:
        response = HttpResponse(
            ratelimits.retry_message(wait), status=429, content_type="text/plain"
        )
        response["Retry-After"] = str(wait)
        return response
    token = settings.TWILIO_AUTH_TOKEN
    signature = request.headers.get("X-Twilio-Signature", "")
    # The URL Twilio called: our public address (behind a proxy, not the one Django sees).
    url = settings.SITE_URL + request.get_full_path()
    if (
        not token
        or not signature
        or not RequestValidator(token).validate(url, request.POST, signature)
    ):
        return HttpResponse(_("Signature check failed."), status=403, content_type="text/plain")
    phone = request.POST.get("From", "")
    answered = replies.answer_reply(phone=phone, body=request.POST.get("Body", ""))
    if answered is not replies.Reply.OTHER:
        # Twilio confirms STOP and START itself (and sends nothing to a number after its STOP).
        return _twiml(None)
    person = selectors.people_with_phone(phone).first()
    with translation.override(person.language if person else settings.LANGUAGE_CODE):
        return _twiml(wording.other_reply())
