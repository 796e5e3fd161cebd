from django.urls import path

from sciaticare.billing.views import policy

app_name = "billing"

urlpatterns: list = [
    path("clinics/<id:clinic_id>/payment-policy/", policy.policy, name="policy"),
]
