from django.urls import path

from sciaticare.interop import views

app_name = "interop"
urlpatterns = [
    path("account/data/", views.your_data, name="your_data"),
    path("account/data/import/", views.import_fhir, name="import_fhir"),
    path("account/data/<id:export_id>.zip", views.download_export, name="export_zip"),
    path("patients/<id:patient_id>/fhir/", views.patient_fhir, name="patient_fhir"),
]
