from django.urls import path

from sciaticare.integrations import views_calendars

app_name = "integrations"
urlpatterns: list = [
    path("calendar/", views_calendars.calendar_page, name="calendar"),
    path("calendar/read/", views_calendars.read_now, name="calendar_read"),
    path("calendar/choose/", views_calendars.choose, name="calendar_choose"),
    path("calendar/disconnect/", views_calendars.disconnect, name="calendar_disconnect"),
]
