"""Every write of billing, by subject (re-exports nothing; import from the module):

- ``policy``: a clinic's payment policy.
- ``invoices``: issuing invoices and credit notes, numbered per clinic and year without gaps.
- ``cards``: a patient's card on file at a clinic (set up in the browser, kept at the processor).
- ``payments``: taking a payment exactly once, recording one taken at the clinic, refunds.
- ``events``: the processor's webhook events and the reconciliation job that reads them.
"""
