"""Draw the app's PNG icons from our SVGs with Chromium (the browser the tests use).

    /work/main/.venv/bin/python tools/make_icons.py

Writes web/static/web/icons/icon-192.png, icon-512.png and maskable-512.png; the PNGs are
committed, so this runs only when an SVG changes.
"""

import os
from pathlib import Path

from playwright.sync_api import sync_playwright

ICONS = (
    Path(__file__).resolve().parents[1] / "src" / "sciaticare" / "web" / "static" / "web" / "icons"
)
SIZES = [
    ("icon.svg", "icon-192.png", 192),
    ("icon.svg", "icon-512.png", 512),
    ("maskable.svg", "maskable-512.png", 512),
]


def main() -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
            args=["--headless", "--no-sandbox", "--disable-gpu"],
        )
        for svg, png, size in SIZES:
            page = browser.new_page(viewport={"width": size, "height": size})
            markup = (ICONS / svg).read_text()
            page.set_content(
                "<style>html,body{margin:0;background:transparent}svg{display:block;"
                f"width:{size}px;height:{size}px}}</style>{markup}"
            )
            page.screenshot(path=str(ICONS / png), omit_background=True)
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
