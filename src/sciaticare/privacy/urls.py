from django.urls import path

from sciaticare.privacy import views

app_name = "privacy"
urlpatterns = [
    path("delete/", views.delete_account, name="delete"),
    path("delete/cancel/", views.cancel_deletion, name="cancel_deletion"),
]
