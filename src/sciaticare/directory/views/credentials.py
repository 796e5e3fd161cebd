"""A therapist's credentials: adding one with its document, and the document itself."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sciaticare.accounts.models import Role
from sciaticare.accounts.types import AuthedRequest
from sciaticare.core.errors import DomainError
from sciaticare.directory import documents
from sciaticare.directory.forms import CredentialForm
from sciaticare.directory.selectors.access import credential_for
from sciaticare.directory.selectors.profile import credentials_of
from sciaticare.directory.services.credentials import add_credential
from sciaticare.directory.services.profile import ensure_profile
from sciaticare.directory.views.checks import found_or_404, role_required


@role_required(Role.THERAPIST)
@require_http_methods(["GET", "POST"])
def my_credentials(request: AuthedRequest) -> HttpResponse:
    own = ensure_profile(therapist=request.user)
    form = CredentialForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            upload = data["document"]
            try:
                add_credential(
                    actor=request.user,
                    kind=data["kind"],
                    title=data["title"],
                    number=data["number"],
                    issuing_body=data["issuing_body"],
                    jurisdiction=data["jurisdiction"],
                    expires_on=data["expires_on"],
                    document=upload,
                    document_size=upload.size,
                )
            except DomainError as exc:
                for field, message in exc.errors or [("", exc.message)]:
                    form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(
                    request,
                    _(
                        "Credential added. A clinic admin will check it; you'll see the result here."
                    ),
                )
                return redirect("directory:my_credentials")
        status = 400
    return render(
        request,
        "directory/credentials.html",
        {"profile": own, "form": form, "credentials": credentials_of(profile=own)},
        status=status,
    )


@login_required
def credential_document(request: AuthedRequest, credential_id: int) -> HttpResponse:
    """The document itself, to the therapist and the admins who check it; never cached
    (PrivateResponsesMiddleware)."""
    credential = found_or_404(credential_for, user=request.user, credential_id=credential_id)
    response = HttpResponse(
        bytes(credential.document), content_type=documents.CONTENT_TYPES[credential.document_type]
    )
    response["Content-Disposition"] = content_disposition_header(
        True, f"credential-{credential.pk}.{credential.document_type}"
    )
    return response
