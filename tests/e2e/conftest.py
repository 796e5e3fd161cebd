"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server."""

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "images"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session", autouse=True)
def _live_server_connections_closed(django_db_setup: None, django_db_blocker: Any) -> Any:
    yield
    # The live server answers each request on a thread with its own database connection, which
    # nobody closes; PostgreSQL will not drop a test database still in use.
    if connection.vendor == "postgresql":
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not shutil.which(CHROMIUM):
        pytest.fail(f"Browser tests need Chromium at {CHROMIUM}: apt-get install chromium")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
        ],
    }


class _BrowserWithoutWorkers:
    """The browser, whose new contexts block service workers unless a test asks for them.

    A worker fetches pages in the background after a page loads (docs/offline.md). Against the
    live server on in-memory SQLite, which shares one connection between the server's threads
    and the test's, such a fetch can meet the test's own writes: "database table is locked".
    Only the offline tests need a worker, and they say so (service_workers="allow").
    """

    def __init__(self, browser: Any) -> None:
        self._browser = browser

    def new_context(self, **options: Any) -> Any:
        return self._browser.new_context(**{"service_workers": "block", **options})

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)


@pytest.fixture(scope="session")
def browser(browser: Any) -> Any:
    return _BrowserWithoutWorkers(browser)


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "service_workers": "block"}


@pytest.fixture
def phone(browser: Any) -> Any:
    """A page the size of a small phone (360 px wide)."""
    context = browser.new_context(viewport={"width": 360, "height": 740})
    yield context.new_page()
    context.close()


@pytest.fixture
def screenshots_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def sign_in(page: Any, live_server: Any, user: Any) -> None:
    """Give the browser a signed-in session for `user` (the login form has its own test)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
