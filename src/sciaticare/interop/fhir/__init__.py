"""A patient's record as a FHIR R4 ``Bundle`` (type ``collection``), and back. Pure, no Django;
one module per step, and callers import the module they need (this package re-exports nothing):

- ``codes``: the code systems, codes, extension URLs and status values every step shares;
- ``record``: the record as plain dataclasses, which the export is built from;
- ``export``: :func:`~sciaticare.interop.fhir.export.build_bundle`, the record as a Bundle;
- ``programme``: the home exercise programme as a ``CarePlan`` and its weekly adherence as
  ``Observation``s, and what an import checks of them;
- ``checks``: an imported Bundle's structure (``fhir.resources.R4B``, which checks structure
  only, not code values: docs/dependencies.md), then every code value against our own enums
  (:func:`~sciaticare.interop.fhir.checks.validate_codes`);
- ``imported``: :func:`~sciaticare.interop.fhir.imported.parse_bundle` reads a checked Bundle
  into plain dataclasses for import;
- ``standard`` and ``standard_resources``: a Bundle another system made (an EHR, a SMART app),
  read resource by resource into what becomes ours and what is skipped with why
  (:func:`~sciaticare.interop.fhir.standard.read_standard_bundle`).

Decisions (docs for the import service too):
- Ids are stable and derived from what the row is, so export -> import -> export gives the same
  Bundle modulo the Patient: ``appointment-<pk>`` for rows only this system holds, and content
  keys for rows an import re-creates (``pain-<day>``, ``condition-<started_on>``,
  ``qr-<instrument>-<completed µs>``). fullUrl is ``<base>/<Type>/<id>`` where ``<base>`` is
  the exporting instance's own (``SITE_URL`` + ``/fhir``), so a Bundle says where it came
  from and an import knows a record it exported itself. Definitions (code systems, extensions,
  questionnaires) keep one canonical base, ``codes.CANONICAL_BASE``: every instance's Bundles
  must use the same codes to be exchanged.
- abatementDateTime is when the sciatica resolved clinically. The app does not record that
  (an episode is closed when the patient starts a new one, which says nothing about when the
  pain went), so it is left out; clinicalStatus still says ``resolved`` for a closed episode.
- Pain 0-10 (LOINC 72514-3, docs/clinical.md "Codes"): ONE Observation per diary entry and per
  before/after moment of a signed session note, with a component each for back and leg pain
  (the component codes carry LOINC 72514-3 plus our local ``pain-site`` code saying which).
  One resource per moment keeps "one per diary entry" literal and back/leg paired.
- Sciatica: SNOMED CT 23056005; ICD-10-CM M54.31 right / M54.32 left / M54.30 otherwise
  (docs/clinical.md "Codes"); the side comes from the leg regions of the body map.
- Massage: SNOMED CT 387854002, the product's choice pending confirmation (docs/clinical.md).
"""
