from django.urls import path

from sciaticare.integrations import views_calendars, views_imports, views_webhooks

app_name = "integrations"
urlpatterns: list = [
    # The therapist's own calendar (CalDAV).
    path("calendar/", views_calendars.calendar_page, name="calendar"),
    path("calendar/read/", views_calendars.read_now, name="calendar_read"),
    path("calendar/choose/", views_calendars.choose, name="calendar_choose"),
    path("calendar/disconnect/", views_calendars.disconnect, name="calendar_disconnect"),
    # A clinic's webhooks.
    path("clinics/<id:clinic_id>/webhooks/", views_webhooks.webhooks, name="webhooks"),
    path(
        "clinics/<id:clinic_id>/webhooks/<id:endpoint_id>/",
        views_webhooks.webhook,
        name="webhook",
    ),
    path(
        "clinics/<id:clinic_id>/webhooks/<id:endpoint_id>/secret/",
        views_webhooks.roll_secret,
        name="webhook_roll_secret",
    ),
    path(
        "clinics/<id:clinic_id>/webhooks/<id:endpoint_id>/ping/",
        views_webhooks.ping,
        name="webhook_ping",
    ),
    path(
        "clinics/<id:clinic_id>/webhooks/<id:endpoint_id>/enabled/",
        views_webhooks.enable,
        name="webhook_enable",
    ),
    path(
        "clinics/<id:clinic_id>/webhooks/<id:endpoint_id>/delete/",
        views_webhooks.delete,
        name="webhook_delete",
    ),
    path(
        "clinics/<id:clinic_id>/webhooks/<id:endpoint_id>/deliveries/<id:delivery_id>/resend/",
        views_webhooks.resend,
        name="webhook_resend",
    ),
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
