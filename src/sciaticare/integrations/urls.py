from django.urls import path

from sciaticare.integrations import views_webhooks

app_name = "integrations"
urlpatterns: list = [
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
]
