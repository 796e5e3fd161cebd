from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path, register_converter

from sciaticare.accounts import views as accounts_views
from sciaticare.api import api
from sciaticare.core.bounds import IdConverter
from sciaticare.intake.views import symptom_check
from sciaticare.scheduling import views_calendar

# The Django admin signs nobody in itself: its login page sends people to allauth's, which asks
# staff for their second factor. Its own form checked the password alone.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

# allauth answers a rate-limited sign-in, sign-up or reset with this (and a Retry-After).
handler429 = "sciaticare.accounts.views.too_many_attempts"
# A database that is away or too slow answers 503 with Retry-After; anything else the 500 page.
handler500 = "sciaticare.web.views.server_error"
# No such address: under /api/ the API's JSON Problem, elsewhere the 404 page.
handler404 = "sciaticare.web.views.not_found"
# Refused before any view (a body too large, a bad cookie): the same split, 413 or 400.
handler400 = "sciaticare.web.views.bad_request"

# `<id:…>` before any app's urls are included: every id in a page URL fits a database key.
register_converter(IdConverter, "id")

urlpatterns = [
    # First: most requests are the API's, and each pattern before it is one more tried.
    path("api/v1/", api.urls),
    path("", include("sciaticare.web.urls")),
    path("check/", symptom_check.check, name="check"),
    path("check/emergency/", symptom_check.emergency, name="check_emergency"),
    path("intake/", include("sciaticare.intake.urls")),
    path("calendar/<str:secret>.ics", views_calendar.feed, name="calendar_feed"),
    path("", include("sciaticare.scheduling.urls")),
    path("", include("sciaticare.records.urls")),
    path("", include("sciaticare.outcomes.urls")),
    path("", include("sciaticare.interop.urls")),
    path("billing/", include("sciaticare.billing.urls")),
    path("integrations/", include("sciaticare.integrations.urls")),
    path("exercises/", include("sciaticare.exercises.urls")),
    path("therapists/", include("sciaticare.directory.urls")),
    path("account/", include("sciaticare.accounts.urls")),
    path("account/", include("sciaticare.privacy.urls")),
    path("reminders/", include("sciaticare.reminders.urls")),
    # Before allauth's own: the set-up page with an answer to two sessions enrolling at once.
    path("accounts/2fa/totp/activate/", accounts_views.activate_totp, name="mfa_activate_totp"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
