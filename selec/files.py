"""Attachments: checks on uploaded files (size and a content type that matches the bytes),
storing them encrypted on an attachment row, and handing them back decrypted."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Protocol, TypeVar

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.http import content_disposition_header

from selec.crypto import DecryptionError, associated_data, decrypt_bytes, encrypt_bytes

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


class Upload(Protocol):
    filename: str
    content_type: str
    content: bytes


U = TypeVar("U", bound=Upload)


def checked_uploads(uploads: Sequence[U]) -> list[tuple[U, str]]:
    """Each upload with the content type to record; the first refused file fails them all."""
    checked = []
    for upload in uploads:
        try:
            content_type = check_attachment(
                filename=upload.filename, declared_type=upload.content_type, content=upload.content
            )
        except FileRefused as exc:
            raise ValidationError({"attachments": [str(exc)]}) from exc
        checked.append((upload, content_type))
    return checked


class StoredFile(Protocol):
    """An attachment row: its file's metadata and the AES-GCM ciphertext of its bytes."""

    pk: int | None
    uuid: object
    filename: str
    content_type: str
    size: int
    sha256: str
    content: bytes


F = TypeVar("F", bound=StoredFile)


def content_aad(attachment: StoredFile) -> bytes:
    # As EncryptedTextField binds its ciphertext: to the model's label, the field and the row's
    # uuid ("exchanges.attachment", "cases.meetingattachment"); a renamed model cannot read its
    # stored files back.
    label = type(attachment)._meta.label_lower  # type: ignore[attr-defined]
    return associated_data(label, "content", str(attachment.uuid))


def seal_attachment(attachment: F, *, upload: Upload, content_type: str) -> F:
    """Fill an unsaved attachment row from a checked upload, its bytes encrypted."""
    attachment.filename = upload.filename
    attachment.content_type = content_type
    attachment.size = len(upload.content)
    attachment.sha256 = hashlib.sha256(upload.content).hexdigest()
    attachment.content = encrypt_bytes(upload.content, aad=content_aad(attachment))
    return attachment


def open_attachment(attachment: StoredFile) -> bytes:
    """The attachment's bytes, refused unless they are the ones recorded when it was stored."""
    content = decrypt_bytes(attachment.content, aad=content_aad(attachment))
    if hashlib.sha256(content).hexdigest() != attachment.sha256:
        raise DecryptionError(f"attachment {attachment.pk} does not match its recorded SHA-256")
    return content


def download_response(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    """A file handed to the officer: saved, never rendered or sniffed, never cached by others."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
