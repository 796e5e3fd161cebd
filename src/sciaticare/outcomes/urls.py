from django.urls import path

from sciaticare.outcomes import views

app_name = "outcomes"
urlpatterns = [
    path("diary/", views.diary, name="diary"),
    path("diary/reminders/", views.nudge, name="nudge"),
]
