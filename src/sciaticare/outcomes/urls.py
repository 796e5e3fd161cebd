from django.urls import path

from sciaticare.outcomes import views, views_practice, views_report

app_name = "outcomes"
urlpatterns = [
    path("diary/", views.diary, name="diary"),
    path("diary/reminders/", views.nudge, name="nudge"),
    path("diary/reports/", views_report.reports, name="reports"),
    path("diary/reports/<id:report_id>.pdf", views_report.download, name="report_pdf"),
    path("diary/reports/<id:report_id>/send/", views_report.share, name="report_share"),
    path("diary/reports/sent/<id:share_id>/stop/", views_report.stop_share, name="share_stop"),
    path("shared-reports/<str:token>/", views_report.shared_report, name="shared_report"),
    path("outcomes/mine/", views_practice.mine, name="my_outcomes"),
    path(
        "outcomes/therapists/<id:profile_id>/",
        views_practice.therapist,
        name="therapist_outcomes",
    ),
    path("outcomes/clinics/", views_practice.clinics, name="clinic_outcomes_list"),
    path("outcomes/clinics/<id:clinic_id>/", views_practice.clinic, name="clinic_outcomes"),
]
