"""The body map on a phone: every region a finger can hit, at least 24 × 24 CSS px (WCAG 2.2
2.5.8, target size minimum), at 320 and 390 px wide, and each region is what a tap at its
centre reaches (no other region or label drawn over it)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from sciaticare.intake.bodymap import REGIONS
from tests.e2e.conftest import sign_in
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db(transaction=True)

MINIMUM_PX = 24

REGION_BOXES = """() => Array.from(document.querySelectorAll('.bodymap [data-region]')).map(e => {
  const r = e.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return {region: e.dataset.region, width: r.width, height: r.height,
          reached: !!hit && hit.closest('[data-region]') === e};
})"""


@pytest.mark.parametrize("width", [320, 390])
def test_every_body_map_region_is_a_24_px_target_on_a_phone(live_server, browser: Browser, width):
    context = browser.new_context(viewport={"width": width, "height": 800}, has_touch=True)
    page = context.new_page()
    sign_in(page, live_server, PatientFactory())
    page.goto(live_server.url + "/intake/new/")

    boxes = []
    for region in page.evaluate(REGION_BOXES):
        page.locator(f'.bodymap [data-region="{region["region"]}"]').scroll_into_view_if_needed()
        boxes += [b for b in page.evaluate(REGION_BOXES) if b["region"] == region["region"]]
    context.close()

    assert sorted(b["region"] for b in boxes) == sorted(REGIONS)
    small = [
        f"{b['region']} {b['width']:.1f}×{b['height']:.1f}"
        for b in boxes
        if b["width"] < MINIMUM_PX or b["height"] < MINIMUM_PX
    ]
    covered = [b["region"] for b in boxes if not b["reached"]]
    assert small == [], f"smaller than {MINIMUM_PX}×{MINIMUM_PX} px at {width} px wide"
    assert covered == [], "a tap at the centre does not reach the region"
