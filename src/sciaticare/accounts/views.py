from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from sciaticare.accounts import selectors, services
from sciaticare.accounts.forms import ApiTokenForm
from sciaticare.accounts.models import Role
from sciaticare.accounts.types import AuthedRequest


@login_required
def account(request: AuthedRequest) -> HttpResponse:
    return render(
        request,
        "accounts/account.html",
        {
            "roles": [role for role in Role if request.user.has_role(role)],
            "tokens": selectors.api_tokens_for(user=request.user),
            "form": ApiTokenForm(),
        },
    )


@login_required
@require_POST
def create_token(request: AuthedRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        tokens = selectors.api_tokens_for(user=request.user)
        return render(
            request, "accounts/account.html", {"tokens": tokens, "form": form}, status=400
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
