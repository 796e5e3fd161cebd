"""Production settings pass Django's deploy checks, and pages carry the security headers."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"HTTPS", "DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update(env)
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, str(ROOT / "manage.py"), *args],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
        timeout=120,
    )


def test_check_deploy_passes_with_production_settings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="sciaticare.example",
        SITE_URL="https://sciaticare.example",
        EMAIL_URL="smtp://mailer:secret@smtp.sciaticare.example:587/?tls=True",
        BEHIND_PROXY="1",  # as docs/deploy.md says to run behind TLS-ending nginx
        TRUSTED_PROXY_COUNT="1",
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_without_a_secret_key_production_refuses_to_start():
    result = _manage("check", DEBUG="0")

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.django_db
def test_pages_carry_csp_without_unsafe_inline_and_the_other_headers(client):
    response = client.get(reverse("web:home"))

    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert len(response["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_with_https_on_http_is_redirected_and_hsts_is_sent(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000

    assert client.get(reverse("web:home"))["Location"].startswith("https://")
    secure = client.get(reverse("web:home"), secure=True)
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.django_db
def test_scripts_on_pages_come_from_our_own_static_files(client):
    import re

    body = client.get(reverse("web:home")).content.decode()
    # Every script tag's src, not a substring of the page: a random CSRF token may spell "cdn".
    sources = re.findall(r"<script\b[^>]*\bsrc=\"([^\"]+)\"", body)

    assert any("htmx" in src for src in sources)
    assert all(src.startswith("/static/") for src in sources), sources


@pytest.mark.django_db
def test_personal_answers_are_private_and_never_stored_public_ones_keep_caching(client):
    from tests.factories import PatientFactory

    public = client.get(reverse("web:home"))
    assert "no-store" not in public.get("Cache-Control", "")

    client.force_login(PatientFactory())
    for path in (reverse("web:home"), "/api/v1/diary"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path
        assert "private" in response["Cache-Control"], path
