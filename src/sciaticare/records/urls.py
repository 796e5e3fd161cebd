from django.urls import path

from sciaticare.records import views

app_name = "records"
urlpatterns = [
    path("notes/", views.sessions, name="sessions"),
    path("notes/<id:appointment_id>/", views.note, name="note"),
    path("notes/<id:appointment_id>/autosave/", views.autosave, name="autosave"),
    path("notes/<id:appointment_id>/sign/", views.sign, name="sign"),
    path("notes/<id:appointment_id>/amend/", views.amend, name="amend"),
    path("notes/<id:appointment_id>/template/", views.template, name="template"),
    path("my/sessions/", views.my_sessions, name="my_sessions"),
    path("my/access/", views.access_history, name="access_history"),
    path("clinic/notes/", views.clinic_notes, name="clinic_notes"),
]
