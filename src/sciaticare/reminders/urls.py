from django.urls import path

from sciaticare.reminders import views

app_name = "reminders"
urlpatterns = [
    path("", views.settings_page, name="settings"),
    path("phone/", views.phone, name="phone"),
    path("devices/", views.add_device, name="add_device"),
    path("devices/<id:device_id>/remove/", views.remove_device, name="remove_device"),
    # Twilio's webhook for replies to our texts (docs/deploy.md, "Text messages").
    path("sms/inbound/", views.sms_inbound, name="sms_inbound"),
]
