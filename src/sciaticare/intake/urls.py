from django.urls import path

from sciaticare.intake.views import clients, intake, questionnaires, recheck, shares

app_name = "intake"
urlpatterns = [
    path("", intake.intake_home, name="home"),
    path("new/", intake.intake_form, name="form"),
    path("finish/", intake.finish_intake, name="finish"),
    path("recheck/", recheck.recheck, name="recheck"),
    path("<id:intake_id>/", intake.intake_detail, name="detail"),
    path("<id:intake_id>/clearance/", intake.confirm_clearance, name="clearance"),
    path("sharing/", shares.share, name="share"),
    path("sharing/<id:share_id>/revoke/", shares.revoke, name="revoke"),
    path(
        "questionnaires/import/",
        questionnaires.import_questionnaire,
        name="import_questionnaire",
    ),
    path("questionnaires/<slug:code>/", questionnaires.questionnaire, name="questionnaire"),
    path("clients/", clients.clients, name="clients"),
    path("clients/<id:patient_id>/", clients.brief, name="brief"),
]
