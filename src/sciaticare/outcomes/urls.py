from django.urls import path

from sciaticare.outcomes import views, views_report

app_name = "outcomes"
urlpatterns = [
    path("diary/", views.diary, name="diary"),
    path("diary/reminders/", views.nudge, name="nudge"),
    path("diary/reports/", views_report.reports, name="reports"),
    path("diary/reports/<int:report_id>.pdf", views_report.download, name="report_pdf"),
]
