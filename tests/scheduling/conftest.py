"""Scheduling tests: each starts and ends in the site's own language.

A request answered in Spanish leaves Spanish active on the thread that ran it (Django's
LocaleMiddleware activates a language per request and nothing deactivates it), so code a later
test calls outside a request (``assess``, a service) would speak Spanish."""

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _site_language():
    translation.deactivate()
    yield
    translation.deactivate()
