"""What kind of file a credential document is, judged by its content, never by its name.

A browser's declared content type and the file name are the uploader's to choose; the first
bytes are not. We accept the three formats licences are scanned or exported to, by their magic
numbers: PDF (``%PDF-``, ISO 32000-1 §7.5.2), PNG (the 8-byte signature, RFC 2083 §3.1) and
JPEG (the SOI marker ``FF D8`` followed by another marker ``FF``, ITU T.81 §B.1.1.3).
"""

from __future__ import annotations

#: Largest accepted document: 5 MB (a scanned page is well under that).
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
)

#: How many leading bytes :func:`sniff` needs.
HEAD_BYTES = max(len(signature) for signature, _ in _SIGNATURES)

#: Content type to send each kind with, when an authorised person downloads it.
CONTENT_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpeg": "image/jpeg"}


def sniff(head: bytes) -> str | None:
    """The document kind (``"pdf"``, ``"png"`` or ``"jpeg"``) its first bytes show, or None."""
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return kind
    return None
