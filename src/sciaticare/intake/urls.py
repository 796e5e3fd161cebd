from django.urls import path

from sciaticare.intake import views

app_name = "intake"
urlpatterns = [
    path("", views.intake_home, name="home"),
    path("new/", views.intake_form, name="form"),
    path("recheck/", views.recheck, name="recheck"),
    path("<int:intake_id>/", views.intake_detail, name="detail"),
    path("<int:intake_id>/clearance/", views.confirm_clearance, name="clearance"),
    path("sharing/", views.share, name="share"),
    path("sharing/<int:share_id>/revoke/", views.revoke, name="revoke"),
    path("questionnaires/import/", views.import_questionnaire, name="import_questionnaire"),
    path("questionnaires/<slug:code>/", views.questionnaire, name="questionnaire"),
    path("clients/", views.clients, name="clients"),
    path("clients/<int:patient_id>/", views.brief, name="brief"),
]
