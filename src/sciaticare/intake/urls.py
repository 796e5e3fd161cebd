from django.urls import path

from sciaticare.intake import views

app_name = "intake"
urlpatterns = [
    path("", views.intake_home, name="home"),
    path("new/", views.intake_form, name="form"),
    path("recheck/", views.recheck, name="recheck"),
    path("<id:intake_id>/", views.intake_detail, name="detail"),
    path("<id:intake_id>/clearance/", views.confirm_clearance, name="clearance"),
    path("sharing/", views.share, name="share"),
    path("sharing/<id:share_id>/revoke/", views.revoke, name="revoke"),
    path("questionnaires/import/", views.import_questionnaire, name="import_questionnaire"),
    path("questionnaires/<slug:code>/", views.questionnaire, name="questionnaire"),
    path("clients/", views.clients, name="clients"),
    path("clients/<id:patient_id>/", views.brief, name="brief"),
]
