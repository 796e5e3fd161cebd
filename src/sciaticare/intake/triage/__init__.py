"""Red-flag triage for a person with back pain or sciatica who is thinking about massage.

A pure rules engine (stdlib only, no Django): the symptom check pages, the intake and the API
all feed it the same answers and show what it returns. It screens and informs; it never
diagnoses. It sends people to clinicians. One module per part:

- ``levels``: the four triage levels (``Level``), ok to emergency;
- ``questions``: the yes/no questions, their wording and order, and the precaution or reason a
  "yes" gives (``QUESTIONS``, ``REQUIRED_CODES``);
- ``reasons``: why a result reaches its level, in plain and clinical words with sources
  (``REASONS``), the two combinations (``COMBINATIONS``), and the order reasons are shown in;
- ``precautions``: what the therapist must do differently (``PRECAUTIONS``);
- ``assessment``: the input's checks and bounds, ``assess`` and its ``Triage`` result with the
  advice for the person;
- ``phase``: the episode's phase by its duration (ACP 2017).

Callers import the module they need; this package re-exports nothing.

Everything clinical here is written down, with its sources, in the project's clinical reference
``docs/clinical.md``: the triage levels, the question codes, the derived reasons and the two
combinations, the massage precautions, the episode phases (ACP 2017) and the honest wording
about massage (ACP 2017; NICE NG59 1.2.7; Furlan et al., Cochrane 2015). Each ``Reason`` and
``Precaution`` names its own source.
"""
