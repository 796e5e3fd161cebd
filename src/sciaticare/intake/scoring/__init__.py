"""Scoring of the outcome instruments (pure: no Django), one module per part of the job:

- ``definition``: what an instrument is (items, score range, bands, MCID, source) and the
  answer types;
- ``instruments``: the instruments themselves, the one table of items, ranges, bands, MCIDs and
  LOINC codes (NRS back and leg, PEG, RMDQ, ODI, Keele STarT Back), and ``get_instrument``;
- ``rules``: the named scoring rules, the checks on the answers, ``score`` and its errors;
- ``change``: meaningful change from a first score to the latest, by the MCID;
- ``questionnaire``: the bundled FHIR Questionnaires, their validation, and whether an imported
  one fits an instrument's rule;
- ``response``: a response as a FHIR QuestionnaireResponse, and back.

Callers import the module they need; this package re-exports nothing.

Every clinical number here -- items, ranges, scoring rules, missing-answer rules, interpretation
bands, minimal clinically important differences (MCIDs) and codes -- is written down with its
source in ``docs/clinical.md`` ("Instruments" and "Codes"); each instrument's ``source`` names
the publication it rests on.

Instruments are data: a FHIR R4 ``Questionnaire`` holds the item text (bundled under
``intake/questionnaires/<code>.json`` for the instruments we may ship), and ``rules`` holds the
named scoring rule. For the Oswestry Disability Index (licensed text, Mapi Research Trust) and
Keele STarT Back (text free for non-commercial use only) only the scoring is built in: a clinic
that holds a licence imports the text, and ``questionnaire.check_fits`` tells whether the import
fits the rule.
"""
