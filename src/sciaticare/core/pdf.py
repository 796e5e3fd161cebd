"""HTML made into PDF (WeasyPrint): the progress report, invoices, receipts and superbills.

The documents' templates carry their CSS inline and their charts as inline SVG, and the URL
fetcher refuses every URL, so a PDF can never pull anything from the network or the disk
(not even through a link a person typed into a field the document shows).
"""

from __future__ import annotations

from typing import Any, NoReturn

from weasyprint import HTML
from weasyprint.urls import URLFetcher


class _NoFetching(URLFetcher):
    def fetch(self, url: str, headers: Any = None) -> NoReturn:
        raise ValueError(f"a document fetches no external resource ({url[:40]})")


def pdf_from_html(html: str) -> bytes:
    pdf = HTML(string=html, url_fetcher=_NoFetching()).write_pdf()
    assert pdf is not None  # write_pdf without a target returns the bytes
    return pdf
