from django.urls import path

from sciaticare.exercises.views import clinic, library

app_name = "exercises"

urlpatterns = [
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
