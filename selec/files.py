"""Checks on uploaded files: size and a content type that matches the bytes."""

from __future__ import annotations

import filetype
from django.conf import settings

# What officers may attach: documents, images, spreadsheets and archives of them.
ALLOWED_BINARY_TYPES = frozenset(
    {
        "application/pdf",
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/tiff",
        "application/zip",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
    }
)
TEXT_TYPES = frozenset({"text/plain", "text/csv"})
# Office documents are zip archives: a sniffer that sees only "zip" still matches them.
_ZIP_CONTAINERS = frozenset(
    t for t in ALLOWED_BINARY_TYPES if "openxml" in t or "opendocument" in t
)


class FileRefused(ValueError):
    pass


def max_attachment_bytes() -> int:
    return settings.MAX_ATTACHMENT_MB * 1024 * 1024


def check_attachment(*, filename: str, declared_type: str, content: bytes) -> str:
    """Return the content type to record, or raise FileRefused saying what is wrong."""
    if not content:
        raise FileRefused(f"{filename}: the file is empty.")
    if len(content) > max_attachment_bytes():
        raise FileRefused(f"{filename}: larger than the {settings.MAX_ATTACHMENT_MB} MB limit.")
    declared = declared_type.split(";")[0].strip().lower()
    if declared in TEXT_TYPES:
        if b"\x00" in content or filetype.guess_mime(content) is not None:
            raise FileRefused(f"{filename}: declared as {declared}, but the content is binary.")
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            raise FileRefused(f"{filename}: declared as text, but it is not UTF-8 text.") from None
        return declared
    if declared not in ALLOWED_BINARY_TYPES:
        raise FileRefused(f"{filename}: files of type {declared or 'unknown'} are not accepted.")
    sniffed = filetype.guess_mime(content)
    if sniffed == declared or (sniffed == "application/zip" and declared in _ZIP_CONTAINERS):
        return declared
    raise FileRefused(
        f"{filename}: declared as {declared}, but the content is {sniffed or 'unrecognised'}."
    )
