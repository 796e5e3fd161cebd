"""Pages of the privacy app: asking to delete the account and cancelling that (the "Your
data" page, interop's, shows the request and the way to cancel)."""

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from sciaticare.accounts.selectors import local_now
from sciaticare.accounts.types import AuthedRequest
from sciaticare.core.display import day
from sciaticare.core.errors import NotFound
from sciaticare.privacy import services
from sciaticare.privacy.forms import DeletionConfirmForm


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
            gettext(
                "Your account will be deleted on %(day)s. We have emailed you; you can cancel "
                "here until then."
            )
            % {"day": day(local_now(user, found.due_at), "long")},
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
    return render(request, "privacy/delete.html", context, status=status)


@login_required
@require_POST
def cancel_deletion(request: AuthedRequest) -> HttpResponse:
    try:
        services.cancel_deletion(user=request.user)
    except NotFound:
        raise Http404("No deletion is pending") from None
    messages.success(request, gettext("Your account will not be deleted."))
    return redirect("interop:your_data")
