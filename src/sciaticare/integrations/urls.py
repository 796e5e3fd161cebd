from django.urls import path

from sciaticare.integrations import views_imports

app_name = "integrations"
urlpatterns: list = [
    # Moving in from another system (CSV exports): the clinic's own admins only.
    path("clinics/<id:clinic_id>/import/", views_imports.imports, name="imports"),
    path(
        "clinics/<id:clinic_id>/import/<id:run_id>/",
        views_imports.import_run,
        name="import_run",
    ),
    path(
        "clinics/<id:clinic_id>/import/<id:run_id>/check/",
        views_imports.import_check,
        name="import_check",
    ),
    path(
        "clinics/<id:clinic_id>/import/<id:run_id>/import/",
        views_imports.import_do,
        name="import_do",
    ),
    path(
        "clinics/<id:clinic_id>/import/<id:run_id>/discard/",
        views_imports.import_discard,
        name="import_discard",
    ),
]
