from django.urls import path

from sciaticare.exercises import views_prescribe

app_name = "exercises"

urlpatterns = [
    # The treating therapist's programme for a client (from the session note or the clients).
    path("patients/<id:patient_id>/programme/", views_prescribe.prescribe, name="prescribe"),
    path("programmes/<id:plan_id>/end/", views_prescribe.end_programme, name="end_programme"),
]
