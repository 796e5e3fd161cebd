from django.urls import path

from sciaticare.exercises import views_programme
from sciaticare.exercises.views import clinic, library, prescribe

app_name = "exercises"

urlpatterns = [
    # The patient's own programmes (before the slugs below: "programme" is no exercise).
    path("programme/", views_programme.my_programme, name="my_programme"),
    path("programme/new/", views_programme.new_programme, name="programme_new"),
    path("programme/<id:plan_id>/edit/", views_programme.edit_programme, name="programme_edit"),
    path("programme/<id:plan_id>/end/", views_programme.end_programme, name="programme_end"),
    path("programme/<id:plan_id>/tick/", views_programme.tick, name="tick"),
    path("programme/<id:plan_id>/pause/", views_programme.pause, name="pause"),
    path("programme/<id:plan_id>/resume/", views_programme.resume, name="resume"),
    # The treating therapist's programme for a client (from the session note or the clients).
    path("patients/<id:patient_id>/programme/", prescribe.prescribe, name="prescribe"),
    path("programmes/<id:plan_id>/end/", prescribe.end_programme, name="end_programme"),
    # The clinic admin's choice of exercises and the clinic's own (before the slugs below).
    path("clinics/", clinic.clinics, name="clinics"),
    path("clinics/<id:clinic_id>/", clinic.clinic, name="clinic"),
    path("clinics/<id:clinic_id>/new/", clinic.add, name="add"),
    path("clinics/<id:clinic_id>/own/<id:exercise_id>/", clinic.edit, name="edit"),
    path("clinics/<id:clinic_id>/own/<id:exercise_id>/remove/", clinic.remove, name="remove"),
    # The public library: built-in exercises only.
    path("", library.library, name="library"),
    path("<slug:slug>/", library.exercise, name="exercise"),
]
