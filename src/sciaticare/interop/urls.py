from django.urls import path

from sciaticare.interop import views

app_name = "interop"
urlpatterns = [
    path("account/data/", views.your_data, name="your_data"),
    path("account/data/<int:export_id>.zip", views.download_export, name="export_zip"),
    path("patients/<int:patient_id>/fhir/", views.patient_fhir, name="patient_fhir"),
]
