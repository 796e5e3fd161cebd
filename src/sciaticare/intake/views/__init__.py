"""Pages of the intake, one module per subject: ``symptom_check`` (the public symptom check and
its answer page), ``intake`` (the patient's intake: the overview, the form, finishing a safety
intake, one revision, the doctor's clearance), ``shares`` (sharing the intake with a therapist, and revoking it),
``questionnaires`` (answering one, and a clinic admin's import of licensed text), ``clients``
(the therapist's side: their clients and a client's brief) and ``recheck`` (the red-flag
questions asked again before a booking), with ``checks`` (what every page checks).
``intake/urls.py`` and ``sciaticare/urls.py`` (the check lives at ``/check/``) import the
modules; this package re-exports nothing.

Views are thin: parse the form, call one selector or service, render or redirect.
"""
