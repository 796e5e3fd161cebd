from django.urls import path

from sciaticare.billing.views import deposit, policy

app_name = "billing"

urlpatterns: list = [
    path("clinics/<id:clinic_id>/payment-policy/", policy.policy, name="policy"),
    path("deposit/<id:appointment_id>/", deposit.deposit, name="deposit"),
]
