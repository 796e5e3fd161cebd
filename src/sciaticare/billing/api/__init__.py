"""Billing's API, one router per subject (re-exports nothing; sciaticare/api.py adds each):

- ``policy``: a clinic's payment policy (clinic admin).
- ``invoices``: the caller's invoices, one invoice, its PDF.
- ``payments``: paying a deposit (card set-up, 3-D Secure), the processor's webhook.
"""
