from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sciaticare.accounts.models import Role
from sciaticare.accounts.types import AuthedRequest


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html")


@login_required
def dashboard(request: AuthedRequest) -> HttpResponse:
    roles = [role for role in Role if request.user.has_role(role)]
    return render(request, "web/dashboard.html", {"roles": roles})
