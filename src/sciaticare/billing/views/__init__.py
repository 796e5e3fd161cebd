"""Billing's pages, by subject (re-exports nothing; billing/urls.py imports the modules):

- ``policy``: the clinic admin's payment policy page.
- ``deposit``: paying a deposit while a slot is held (card, 3-D Secure).
- ``payments``: the patient's Payments page, an invoice, receipts and the superbill (PDF).
- ``takings``: the clinic admin's takings, balances and CSV; recording a payment taken at
  the clinic; refunding or waiving a fee.
"""
