"""What the encryption tests share: two keys, the rotation's first step, a tampered
ciphertext, rows of the real models and their columns as stored."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
import uuid

from django.db import connection, models
from django.utils import timezone

from exchanges.models import Attachment, Entity, Exchange, ExchangeKind
from partners.models import Agency, Officer
from selec.core.crypto import associated_data, encrypt_bytes
from taskforces.models import CrimeArea

KEY_A = os.urandom(32)
KEY_B = os.urandom(32)


def rotate_to_b(settings) -> None:
    """The rotation procedure's first step: the new key first, the old one kept second."""
    settings.FIELD_ENCRYPTION_KEYS = {"new": KEY_B, **settings.FIELD_ENCRYPTION_KEYS}


def tamper(token: str, index: int) -> str:
    """Flip one bit of byte ``index`` of the decoded payload and encode it again."""
    key_id, _, payload = token.partition(":")
    sealed = bytearray(base64.b64decode(payload))
    sealed[index] ^= 0x01
    return f"{key_id}:{base64.b64encode(bytes(sealed)).decode()}"


def make_exchange(author: Officer, *, subject: str, body: str) -> Exchange:
    sent_at = timezone.now()
    return Exchange.objects.create(
        reference=f"T-{uuid.uuid4().hex[:12]}",
        kind=ExchangeKind.INFORMATION,
        sender_agency=Agency.objects.get(name="Romanian Police"),
        author=author,
        crime_area=CrimeArea.objects.get(code="drugs"),
        sent_at=sent_at,
        due_at=sent_at + dt.timedelta(days=14),
        subject=subject,
        body=body,
    )


def make_entity(exchange: Exchange, attributes: dict[str, str]) -> Entity:
    # EncryptedJSONField holds a dict: the stubs take its Python type from TextField (str).
    return Entity.objects.create(exchange=exchange, kind="person", attributes=attributes)


def make_attachment(exchange: Exchange, content: bytes) -> Attachment:
    attachment = Attachment(
        exchange=exchange,
        filename="evidence.pdf",
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    attachment.content = encrypt_bytes(
        content, aad=associated_data("exchanges.attachment", "content", str(attachment.uuid))
    )
    attachment.save()
    return attachment


def _column(model: type[models.Model], field_name: str) -> str:
    """The name of the field's own column (a reverse relation or a generic key has none)."""
    field = model._meta.get_field(field_name)
    if not isinstance(field, models.Field) or field.column is None:
        raise LookupError(f"{model.__name__}.{field_name} has no column of its own")
    return field.column


def raw_column(model: type[models.Model], pk: int, field_name: str) -> str | bytes:
    """The column as stored, read past the ORM."""
    quote = connection.ops.quote_name
    column = _column(model, field_name)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote(column)} FROM {quote(model._meta.db_table)} WHERE id = %s",  # noqa: S608 (identifiers from model metadata)
            [pk],
        )
        (value,) = cursor.fetchone()
    return bytes(value) if isinstance(value, memoryview) else value


def write_raw_column(
    model: type[models.Model], pk: int, field_name: str, value: str | bytes
) -> None:
    quote = connection.ops.quote_name
    column = _column(model, field_name)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(model._meta.db_table)} SET {quote(column)} = %s WHERE id = %s",  # noqa: S608 (identifiers from model metadata)
            [value, pk],
        )


SUBJECT = "Heroin shipment via Constanța port"
BODY = "Driver: Ion Popescu, passport RO1234567, truck B-123-XYZ."
ATTRIBUTES = {"name": "Ion Popescu", "born": "1980-04-02", "passport": "RO1234567"}
