from django.urls import path

from sciaticare.billing.views import deposit, payments, policy, takings

app_name = "billing"

urlpatterns = [
    path("clinics/<id:clinic_id>/payment-policy/", policy.policy, name="policy"),
    path("deposit/<id:appointment_id>/", deposit.deposit, name="deposit"),
    # The patient's Payments page and the documents (their own; the clinic's admins too).
    path("payments/", payments.payments, name="payments"),
    path("invoices/<id:invoice_id>/", payments.invoice, name="invoice"),
    path("invoices/<id:invoice_id>/pdf/", payments.invoice_pdf, name="invoice_pdf"),
    path("invoices/<id:invoice_id>/for-insurer/", payments.insurer_pdf, name="insurer_pdf"),
    path("payments/<id:payment_id>/receipt/", payments.receipt_pdf, name="receipt_pdf"),
    # The clinic admin's takings and what they record, refund or waive.
    path("takings/", takings.takings_home, name="takings_home"),
    path("clinics/<id:clinic_id>/takings/", takings.takings, name="takings"),
    path("clinics/<id:clinic_id>/takings.csv", takings.takings_csv, name="takings_csv"),
    path(
        "invoices/<id:invoice_id>/record-payment/",
        takings.record_payment,
        name="record_payment",
    ),
    path("invoices/<id:invoice_id>/waive/", takings.waive, name="waive"),
    path("payments/<id:payment_id>/refund/", takings.refund, name="refund"),
]
