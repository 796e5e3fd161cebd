from django.urls import path

from sciaticare.scheduling import (
    views,
    views_calendar,
    views_new_patient,
    views_waitlist,
    views_week,
)

app_name = "scheduling"
urlpatterns = [
    path("book/<id:therapist_id>/", views.book, name="book"),
    path(
        "book/<id:therapist_id>/new-patient/",
        views_new_patient.new_patient,
        name="new_patient",
    ),
    path("appointments/", views.appointments, name="appointments"),
    path("appointments/<id:appointment_id>/", views.appointment, name="appointment"),
    path("appointments/<id:appointment_id>/cancel/", views.cancel, name="cancel"),
    path("appointments/cancel-all/", views.cancel_for_triage, name="cancel_for_triage"),
    path("appointments/<id:appointment_id>/reschedule/", views.reschedule, name="reschedule"),
    path("appointments/<id:appointment_id>/attendance/", views.attendance, name="attendance"),
    path("appointments/<id:appointment_id>/no-show/", views.no_show, name="no_show"),
    path("schedule/week/", views_week.week, name="week"),
    path("flare-up/", views.flare_up_view, name="flare_up"),
    path("waitlist/", views_waitlist.entries, name="waitlist"),
    path("waitlist/join/", views_waitlist.join, name="waitlist_join"),
    path("waitlist/<id:entry_id>/leave/", views_waitlist.leave, name="waitlist_leave"),
    path("offers/<id:offer_id>/", views_waitlist.offer, name="offer"),
    path("offers/<id:offer_id>/accept/", views_waitlist.accept, name="offer_accept"),
    path("offers/<id:offer_id>/decline/", views_waitlist.decline, name="offer_decline"),
    path("calendar/", views_calendar.calendar, name="calendar"),
    path("calendar/new-link/", views_calendar.new_link, name="calendar_new_link"),
]
