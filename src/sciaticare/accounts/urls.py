from django.urls import path

from sciaticare.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.account, name="account"),
    path("tokens/", views.create_token, name="create_token"),
    path("tokens/<id:token_id>/revoke/", views.revoke_token, name="revoke_token"),
    path("delete/", views.delete_account, name="delete"),
    path("delete/cancel/", views.cancel_deletion, name="cancel_deletion"),
]
