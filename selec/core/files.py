"""Attachments: checks on uploaded files (a usable name, size and a content type that matches
the bytes), storing them encrypted on an attachment row, and handing them back decrypted."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from typing import Protocol, TypeVar
from uuid import UUID

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from selec.core.crypto import DecryptionError, associated_data, decrypt_bytes, encrypt_bytes

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


# Most file systems keep at most 255 characters of a name.
MAX_FILENAME_LENGTH = 255
# Characters no file name should hold: controls (NUL, line breaks), invisible format marks (a
# right-to-left override makes "report\u202efdp.exe" read as "reportexe.pdf"), surrogates left
# by bytes that were not UTF-8, and line or paragraph separators.
_UNUSABLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_PATH_SEPARATORS = re.compile(r"[/\\]")


class FileRefused(ValueError):
    pass


def max_attachment_bytes() -> int:
    return settings.MAX_ATTACHMENT_MB * 1024 * 1024


def base_name(name: str) -> str:
    """The name without the folders a browser may send in front of it (C:\\Users\\...)."""
    return _PATH_SEPARATORS.split(name)[-1]


def filename_problem(name: str) -> str | None:
    """What makes an uploaded file's name unusable, or None. The name is refused rather than
    repaired: a file must keep the name its provider gave it, or not be sent at all."""
    if "\ufffd" in name or any(unicodedata.category(c) == "Cs" for c in name):
        # U+FFFD stands for bytes that were not UTF-8 (selec.core.request_limits makes them so).
        return _("its name is not valid UTF-8 text; rename the file and send it again")
    unusable = next((c for c in name if unicodedata.category(c) in _UNUSABLE_CATEGORIES), None)
    if unusable is not None:
        # Translators: %(code)s is a Unicode code point in hexadecimal, e.g. 200B.
        return _(
            "its name contains the control or invisible character U+%(code)s; "
            "rename the file and send it again"
        ) % {"code": f"{ord(unusable):04X}"}
    if base_name(name).strip() in ("", ".", ".."):
        return _("it has no file name (the name is empty or only a folder path)")
    if base_name(name) != name:
        return _("its name includes a folder path; give the file name alone")
    if len(name) > MAX_FILENAME_LENGTH:
        return _("its name is longer than %(max_length)d characters") % {
            "max_length": MAX_FILENAME_LENGTH
        }
    return None


def shown_filename(name: str) -> str:
    """The name as an error message may quote it: unusable characters written as escapes."""
    if not name:
        return _("(a file without a name)")
    shown = "".join(
        f"\\u{ord(c):04x}" if unicodedata.category(c) in _UNUSABLE_CATEGORIES else c for c in name
    )
    return shown if len(shown) <= 80 else f"{shown[:77]}..."


def check_attachment(*, filename: str, declared_type: str, content: bytes) -> str:
    """Return the content type to record, or raise FileRefused saying what is wrong."""
    problem = filename_problem(filename)
    if problem is not None:
        # Translators: a file's name, then why it is refused.
        raise FileRefused(
            _("%(file)s: %(problem)s.") % {"file": shown_filename(filename), "problem": problem}
        )
    if not content:
        raise FileRefused(_("%(file)s: the file is empty.") % {"file": filename})
    if len(content) > max_attachment_bytes():
        raise FileRefused(
            _("%(file)s: larger than the %(max_mb)s MB limit.")
            % {"file": filename, "max_mb": settings.MAX_ATTACHMENT_MB}
        )
    declared = declared_type.split(";")[0].strip().lower()
    if declared in TEXT_TYPES:
        if b"\x00" in content or filetype.guess_mime(content) is not None:
            # Translators: %(type)s is a media type, e.g. text/plain.
            raise FileRefused(
                _("%(file)s: declared as %(type)s, but the content is binary.")
                % {"file": filename, "type": declared}
            )
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            raise FileRefused(
                _("%(file)s: declared as text, but it is not UTF-8 text.") % {"file": filename}
            ) from None
        return declared
    if declared not in ALLOWED_BINARY_TYPES:
        # Translators: %(type)s is a media type, e.g. application/x-msdownload.
        raise FileRefused(
            _("%(file)s: files of type %(type)s are not accepted.")
            % {"file": filename, "type": declared or pgettext("media type", "unknown")}
        )
    sniffed = filetype.guess_mime(content)
    if sniffed == declared or (sniffed == "application/zip" and declared in _ZIP_CONTAINERS):
        return declared
    # Translators: %(type)s is the declared media type, %(content_type)s the one found.
    raise FileRefused(
        _("%(file)s: declared as %(type)s, but the content is %(content_type)s.")
        % {
            "file": filename,
            "type": declared,
            "content_type": sniffed or pgettext("media type", "unrecognised"),
        }
    )


class Upload(Protocol):
    # Read only: a frozen input (exchanges' AttachmentInput) is an upload too.
    @property
    def filename(self) -> str: ...
    @property
    def content_type(self) -> str: ...
    @property
    def content(self) -> bytes: ...


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

    # Read only here (so a model's ``pk: int`` matches); the rest is filled by seal_attachment.
    @property
    def pk(self) -> int | None: ...
    @property
    def uuid(self) -> UUID: ...

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


def attachment_disposition(filename: str) -> str:
    """The Content-Disposition of a file to save under ``filename``."""
    header = content_disposition_header(as_attachment=True, filename=filename)
    # Django answers None only for an inline disposition without a file name.
    assert header is not None
    return header


def download_response(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    """A file handed to the officer: saved, never rendered or sniffed, never cached by others."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = attachment_disposition(filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
