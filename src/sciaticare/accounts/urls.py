from django.urls import path

from sciaticare.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.account, name="account"),
    path("time-zone/", views.time_zone, name="time_zone"),
    path("language/", views.language, name="language"),
    path("phone/", views.phone, name="phone"),
    path("tokens/", views.create_token, name="create_token"),
    path("tokens/<id:token_id>/revoke/", views.revoke_token, name="revoke_token"),
]
