from django.urls import path

from sciaticare.directory.views import credentials, moderation, plan, profile, reviews, search

app_name = "directory"
urlpatterns = [
    path("", search.search, name="search"),
    path("<id:pk>/", search.profile, name="profile"),
    path("<id:pk>/edit/", profile.edit_profile, name="edit"),
    path("<id:pk>/sessions/", profile.add_session_type, name="add_session"),
    path("<id:pk>/review/", reviews.add_review, name="add_review"),
    path(
        "sessions/<id:session_id>/standard/",
        profile.make_standard_session,
        name="standard_session",
    ),
    path("sessions/<id:session_id>/remove/", profile.remove_session_type, name="remove_session"),
    path("me/", profile.my_profile, name="me"),
    path("me/credentials/", credentials.my_credentials, name="my_credentials"),
    path(
        "credentials/<id:credential_id>/document/",
        credentials.credential_document,
        name="document",
    ),
    path("credentials/<id:credential_id>/verify/", moderation.verify_credential, name="verify"),
    path("credentials/<id:credential_id>/reject/", moderation.reject_credential, name="reject"),
    path("reviews/<id:review_id>/hide/", moderation.hide_review, name="hide_review"),
    path("clinic/", moderation.clinic, name="clinic"),
    path("plan/", plan.plan, name="plan"),
    path("plan/add/", plan.plan_add, name="plan_add"),
    path("plan/<id:therapist_id>/remove/", plan.plan_remove, name="plan_remove"),
    path("plan/<id:therapist_id>/move/", plan.plan_move, name="plan_move"),
]
