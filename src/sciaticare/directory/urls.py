from django.urls import path

from sciaticare.directory import views

app_name = "directory"
urlpatterns = [
    path("", views.search, name="search"),
    path("<id:pk>/", views.profile, name="profile"),
    path("<id:pk>/edit/", views.edit_profile, name="edit"),
    path("<id:pk>/sessions/", views.add_session_type, name="add_session"),
    path("<id:pk>/review/", views.add_review, name="add_review"),
    path(
        "sessions/<id:session_id>/standard/", views.make_standard_session, name="standard_session"
    ),
    path("sessions/<id:session_id>/remove/", views.remove_session_type, name="remove_session"),
    path("me/", views.my_profile, name="me"),
    path("me/credentials/", views.my_credentials, name="my_credentials"),
    path("credentials/<id:credential_id>/document/", views.credential_document, name="document"),
    path("credentials/<id:credential_id>/verify/", views.verify_credential, name="verify"),
    path("credentials/<id:credential_id>/reject/", views.reject_credential, name="reject"),
    path("reviews/<id:review_id>/hide/", views.hide_review, name="hide_review"),
    path("clinic/", views.clinic, name="clinic"),
    path("plan/", views.plan, name="plan"),
    path("plan/add/", views.plan_add, name="plan_add"),
    path("plan/<id:therapist_id>/remove/", views.plan_remove, name="plan_remove"),
    path("plan/<id:therapist_id>/move/", views.plan_move, name="plan_move"),
]
