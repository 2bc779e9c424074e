"""Encrypting an existing column in a data migration, and decrypting it back to reverse it.

When a plaintext column becomes an ``EncryptedTextField``, the rows already stored hold
plaintext, which the field would refuse to decrypt. The migration that changes the field runs
:func:`encrypt_columns` after the ``AlterField``: it reads the stored values past the field
(``values_list`` does not decrypt) and writes each one's ciphertext with the associated data the
field itself uses (model label, field name, row key: ``EncryptedTextField.aad_for``), so the
rows read back exactly as if they had been saved through the field. :func:`decrypt_columns` is
the reverse, run before the field goes back to plaintext.

Rows are taken in batches by primary key, each written with one ``UPDATE``; the whole runs in
the migration's transaction, so a failure leaves every row as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from selec.core.crypto import associated_data, decrypt_text, encrypt_text
from selec.core.fields import DecryptedForTheColumn

BATCH = 500


def _rewrite(
    apps: Any,
    model_label: str,
    field_names: Sequence[str],
    transform: Callable[[str, bytes], str],
    row_key_field: str = "uuid",
) -> None:
    model = apps.get_model(model_label)
    label = model._meta.label_lower
    last_pk: Any = None
    while True:
        rows = model._base_manager.order_by("pk")
        if last_pk is not None:
            rows = rows.filter(pk__gt=last_pk)
        batch = list(rows.values_list("pk", row_key_field, *field_names)[:BATCH])
        for pk, row_key, *values in batch:
            changes = {
                name: transform(str(value), associated_data(label, name, str(row_key)))
                for name, value in zip(field_names, values, strict=True)
                if value is not None
            }
            if changes:
                model._base_manager.filter(pk=pk).update(**changes)
        if len(batch) < BATCH:
            return
        last_pk = batch[-1][0]


def encrypt_columns(
    apps: Any, model_label: str, field_names: Sequence[str], row_key_field: str = "uuid"
) -> None:
    """Encrypt the plaintext each row holds in these (now encrypted) fields."""
    _rewrite(
        apps,
        model_label,
        field_names,
        lambda text, aad: encrypt_text(text, aad=aad),
        row_key_field,
    )


def decrypt_columns(
    apps: Any, model_label: str, field_names: Sequence[str], row_key_field: str = "uuid"
) -> None:
    """Write back the plaintext of these encrypted fields (the reverse of encrypt_columns)."""
    _rewrite(
        apps,
        model_label,
        field_names,
        lambda token, aad: DecryptedForTheColumn(decrypt_text(token, aad=aad)),
        row_key_field,
    )
