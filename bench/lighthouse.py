"""Lighthouse (mobile) accessibility and performance of the pages people land on.

Run:  .venv/bin/python -m bench.lighthouse        (--runs N: the median of N runs per page)

Lighthouse 12.2.3 (13 needs Node 22) is installed with npm into ``var/lighthouse/`` the first
time, and runs Debian's Chromium (``CHROMIUM``, default /usr/bin/chromium) headless with its
default mobile settings: a Moto G Power sized screen, simulated slow 4G and a 4× slower CPU.

The demo (``make run``'s ``seed_demo``: a city of therapists, the demo patient's months of
diary) is written afresh to a database of its own, ``var/bench/lighthouse/db.sqlite3``, and
served by gunicorn with production settings (DEBUG off, WhiteNoise's compressed static files)
on a free loopback port. The pages: the home page, the symptom check, search results for
Manchester, the demo therapist's profile, and the demo patient's dashboard (signed in: the
session cookie goes in Lighthouse's ``--extra-headers``).

Targets (issue 16): accessibility 100 and performance at least 95 on each page.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.booking_contention import PROJECT_DIR, Server, prepare_demo, server_environment

VERSION = "12.2.3"
CACHE = PROJECT_DIR / "var" / "lighthouse"
VAR_DIR = PROJECT_DIR / "var" / "bench" / "lighthouse"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
TARGET_ACCESSIBILITY = 100
TARGET_PERFORMANCE = 95
PATIENT = "patient@example.com"
THERAPIST = "therapist@example.com"


def lighthouse() -> Path:
    """The lighthouse command, installed under var/lighthouse/ if it is not there yet."""
    program = CACHE / "node_modules" / ".bin" / "lighthouse"
    if not program.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        npm = shutil.which("npm")
        if npm is None:
            sys.exit("bench.lighthouse needs Node 20 and npm (apt-get install nodejs npm).")
        install = ["install", "--exact", "--no-audit", "--no-fund", "--prefix", str(CACHE)]
        subprocess.run(  # noqa: S603 - npm installing one pinned package, no shell
            [npm, *install, f"lighthouse@{VERSION}"],
            check=True,
        )
    return program


def demo_facts(database_url: str) -> tuple[str, str, str]:
    """The demo patient's session cookie (name, value) and the demo therapist's profile path,
    read with Django set up on the bench database."""
    os.environ.update(server_environment(database_url, VAR_DIR))
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from sciaticare.accounts.models import User
    from sciaticare.directory.models import TherapistProfile

    client = Client()
    client.force_login(User.objects.get(email=PATIENT))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    therapist = TherapistProfile.objects.get(user__email=THERAPIST)
    return cookie.key, cookie.value, reverse("directory:profile", args=[therapist.pk])


def audit(program: Path, url: str, headers: dict[str, str]) -> dict[str, Any]:
    """One Lighthouse run (mobile defaults): the category scores out of 100 and a few metrics."""
    with tempfile.TemporaryDirectory(prefix="lighthouse-") as scratch:
        report = Path(scratch) / "report.json"
        command = [
            str(program),
            url,
            "--only-categories=accessibility,performance",
            "--output=json",
            f"--output-path={report}",
            "--quiet",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
        ]
        if headers:
            command.append(f"--extra-headers={json.dumps(headers)}")
        # On a busy machine Chromium's trace now and then misses the navigation (Lighthouse's
        # NO_NAVSTART, "Please run Lighthouse again"): such a run is tried again, twice at most.
        for attempt in range(3):
            done = subprocess.run(  # noqa: S603 - the pinned lighthouse, no shell
                command,
                env={**os.environ, "CHROME_PATH": CHROMIUM, "TMPDIR": scratch},
                timeout=300,
                check=False,
            )
            if done.returncode == 0:
                break
            if attempt == 2:
                done.check_returncode()
        result = json.loads(report.read_text())
    categories, audits = result["categories"], result["audits"]
    failing = [
        name
        for name, item in audits.items()
        if item.get("scoreDisplayMode") == "binary"
        and item.get("score") == 0
        and any(ref["id"] == name for ref in categories["accessibility"]["auditRefs"])
    ]
    return {
        "accessibility": round(categories["accessibility"]["score"] * 100),
        "performance": round(categories["performance"]["score"] * 100),
        "fcp_ms": audits["first-contentful-paint"]["numericValue"],
        "lcp_ms": audits["largest-contentful-paint"]["numericValue"],
        "tbt_ms": audits["total-blocking-time"]["numericValue"],
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "kib": audits["total-byte-weight"]["numericValue"] / 1024,
        "failing": failing,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="runs per page (the median is kept)")
    args = parser.parse_args()
    program = lighthouse()
    if VAR_DIR.exists():
        shutil.rmtree(VAR_DIR)
    VAR_DIR.mkdir(parents=True)
    database_url = f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
    prepare_demo(database_url, VAR_DIR)
    name, value, profile = demo_facts(database_url)
    signed_in = {"Cookie": f"{name}={value}"}
    pages = [
        ("home", "/", {}),
        ("symptom check", "/check/", {}),
        ("search results", "/therapists/?place=Manchester", {}),
        ("therapist profile", profile, {}),
        ("patient dashboard", "/dashboard/", signed_in),
    ]
    version = subprocess.run(  # noqa: S603 - the pinned lighthouse, no shell
        [str(program), "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    print(
        f"Lighthouse {version} (mobile defaults), {CHROMIUM}; gunicorn 2 sync workers, SQLite, "
        f"the demo; {os.cpu_count()} cores; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; "
        f"load average {os.getloadavg()[0]:.2f}; median of {args.runs} run(s) per page"
    )
    header = (
        f"{'page':<20} {'a11y':>5} {'perf':>5} {'FCP ms':>7} {'LCP ms':>7} {'TBT ms':>7}"
        f" {'CLS':>6} {'KiB':>6}  failing accessibility audits"
    )
    print(header)
    print("-" * len(header))
    missed = []
    with Server(database_url, VAR_DIR, workers=2, ready_path="/") as server:
        base = f"http://127.0.0.1:{server.port}"
        for label, path, headers in pages:
            runs = [audit(program, base + path, headers) for _ in range(args.runs)]
            row = {
                key: statistics.median(run[key] for run in runs)
                for key in (
                    "accessibility",
                    "performance",
                    "fcp_ms",
                    "lcp_ms",
                    "tbt_ms",
                    "cls",
                    "kib",
                )
            }
            failing = sorted({name for run in runs for name in run["failing"]})
            print(
                f"{label:<20} {row['accessibility']:>5.0f} {row['performance']:>5.0f}"
                f" {row['fcp_ms']:>7.0f} {row['lcp_ms']:>7.0f} {row['tbt_ms']:>7.0f}"
                f" {row['cls']:>6.3f} {row['kib']:>6.1f}  {', '.join(failing) or '-'}"
            )
            if (
                row["accessibility"] < TARGET_ACCESSIBILITY
                or row["performance"] < TARGET_PERFORMANCE
            ):
                missed.append(label)
    print(f"load average after {os.getloadavg()[0]:.2f}")
    if missed:
        print(
            f"Under target (accessibility {TARGET_ACCESSIBILITY}, performance ≥ {TARGET_PERFORMANCE}): {', '.join(missed)}"
        )
        return 1
    print(
        f"Every page meets accessibility {TARGET_ACCESSIBILITY} and performance ≥ {TARGET_PERFORMANCE}."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
