from django.urls import path

from sciaticare.exercises import views_programme

app_name = "exercises"

urlpatterns = [
    # The patient's own programmes (before any slug route: "programme" is no exercise).
    path("programme/", views_programme.my_programme, name="my_programme"),
    path("programme/new/", views_programme.new_programme, name="programme_new"),
    path("programme/<id:plan_id>/edit/", views_programme.edit_programme, name="programme_edit"),
    path("programme/<id:plan_id>/end/", views_programme.end_programme, name="programme_end"),
    path("programme/<id:plan_id>/tick/", views_programme.tick, name="tick"),
    path("programme/<id:plan_id>/pause/", views_programme.pause, name="pause"),
    path("programme/<id:plan_id>/resume/", views_programme.resume, name="resume"),
]
