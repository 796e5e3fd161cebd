from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from sciaticare.accounts import selectors, services
from sciaticare.accounts.forms import ApiTokenForm, DeletionConfirmForm
from sciaticare.accounts.models import Role
from sciaticare.accounts.types import AuthedRequest
from sciaticare.errors import NotFound


@login_required
def account(request: AuthedRequest) -> HttpResponse:
    return render(
        request,
        "accounts/account.html",
        {
            "roles": [role for role in Role if request.user.has_role(role)],
            "tokens": selectors.api_tokens_for(user=request.user),
            "form": ApiTokenForm(),
            "lifetime_days": settings.API_TOKEN_LIFETIME_DAYS,
        },
    )


@login_required
@require_POST
@reauthentication_required
def create_token(request: AuthedRequest) -> HttpResponse:
    """Make a token: the password again first (allauth re-authentication; the form is kept and
    sent on once it is given), as for changing the email or password. A token outlives the
    browser session, so a session left open must not be enough to mint one."""
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        tokens = selectors.api_tokens_for(user=request.user)
        return render(
            request,
            "accounts/account.html",
            {"tokens": tokens, "form": form, "lifetime_days": settings.API_TOKEN_LIFETIME_DAYS},
            status=400,
        )
    token, raw = services.create_api_token(user=request.user, name=form.cleaned_data["name"])
    # Shown once, on this response only; never stored, never in a redirect URL.
    response = render(request, "accounts/token_created.html", {"token": token, "raw": raw})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def revoke_token(request: AuthedRequest, token_id: int) -> HttpResponse:
    token = (
        selectors.api_tokens_for(user=request.user)
        .filter(pk=token_id, revoked_at__isnull=True)
        .first()
    )
    if token is None:
        raise Http404("No such token")
    if request.method == "POST":
        services.revoke_api_token(user=request.user, token_id=token.pk)
        messages.success(
            request, f"Token “{token.name}” revoked. Programs using it can no longer sign in."
        )
        return redirect("accounts:account")
    return render(request, "accounts/token_revoke_confirm.html", {"token": token})


@login_required
@require_http_methods(["GET", "POST"])
@reauthentication_required(allow_get=True)
def delete_account(request: AuthedRequest) -> HttpResponse:
    """Ask to delete the account: the password again (allauth re-authentication, for the POST)
    and an explicit confirmation; carried out after the cooling-off period (docs/privacy.md)."""
    user = request.user
    if services.pending_deletion(user=user) is not None:
        return redirect("interop:your_data")
    form = DeletionConfirmForm(request.POST if request.method == "POST" else None)
    refused = user.has_staff_role
    if request.method == "POST" and not refused and form.is_valid():
        found = services.request_deletion(user=user)
        messages.warning(
            request,
            f"Your account will be deleted on {timezone.localtime(found.due_at):%d %B %Y}. "
            "We have emailed you; you can cancel here until then.",
        )
        return redirect("interop:your_data")
    context = {
        "form": form,
        "refused": refused,
        "due": timezone.localtime(timezone.now() + services.COOLING_OFF),
        "cooling_off_days": services.COOLING_OFF.days,
        "retention_years": services.RETENTION_YEARS,
        "erased": [label for label in services.ERASED.values() if label],
        "kept": list(services.KEPT.values()),
    }
    status = 403 if refused and request.method == "POST" else (422 if form.errors else 200)
    return render(request, "accounts/delete.html", context, status=status)


@login_required
@require_POST
def cancel_deletion(request: AuthedRequest) -> HttpResponse:
    try:
        services.cancel_deletion(user=request.user)
    except NotFound:
        raise Http404("No deletion is pending") from None
    messages.success(request, "Your account will not be deleted.")
    return redirect("interop:your_data")
