from django.contrib import admin
from django.urls import include, path

from sciaticare.api import api

urlpatterns = [
    path("", include("sciaticare.web.urls")),
    path("account/", include("sciaticare.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
