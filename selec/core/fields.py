"""Model fields whose column holds ciphertext and whose attribute holds plaintext.

Django's ``from_db_value`` does not know the row, yet decryption needs the row's key for the
associated data; so values read from the database are wrapped in :class:`Ciphertext` and a
descriptor decrypts them on first access, with the row's ``uuid`` (``row_key_field``) bound in.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.db import models
from django.db.models.query_utils import DeferredAttribute

from selec.core.crypto import associated_data, decrypt_text, encrypt_text, is_sealed_text


class Ciphertext(str):
    """A value as stored: not yet decrypted."""


class DecryptedForTheColumn(str):
    """Plaintext meant for the column: written by a migration that takes a column out of
    encryption (``selec.core.column_encryption.decrypt_columns``), the one writer allowed to."""


class _DecryptingDescriptor(DeferredAttribute):
    field: EncryptedTextField

    def __init__(self, field: EncryptedTextField) -> None:
        super().__init__(field)

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            return self
        # DeferredAttribute loads a deferred column (.only()/.defer()) instead of reading None.
        value = super().__get__(instance, owner)
        if isinstance(value, Ciphertext):
            value = self.field.from_plaintext(decrypt_text(value, aad=self.field.aad_for(instance)))
            instance.__dict__[self.field.attname] = value
        return value

    def __set__(self, instance: Any, value: Any) -> None:
        instance.__dict__[self.field.attname] = value


class EncryptedTextField(models.TextField):
    """Text encrypted with AES-256-GCM; see ``selec.core.crypto`` for the format."""

    def __init__(self, *args: Any, row_key_field: str = "uuid", **kwargs: Any) -> None:
        self.row_key_field = row_key_field
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.row_key_field != "uuid":
            kwargs["row_key_field"] = self.row_key_field
        return name, path, args, kwargs

    def contribute_to_class(self, cls: Any, name: str, *args: Any, **kwargs: Any) -> None:
        super().contribute_to_class(cls, name, *args, **kwargs)
        setattr(cls, self.attname, _DecryptingDescriptor(self))

    def aad_for(self, instance: Any) -> bytes:
        # The declaring model, not type(instance): a proxy or child model reads the same row.
        return associated_data(
            self.model._meta.label_lower, self.name, str(getattr(instance, self.row_key_field))
        )

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return None if value is None else Ciphertext(value)

    def to_plaintext(self, value: Any) -> str:
        return str(value)

    def from_plaintext(self, text: str) -> Any:
        return text

    def pre_save(self, model_instance: Any, add: bool) -> Any:
        value = getattr(model_instance, self.attname)  # decrypts first if only loaded
        if value is None:
            return None
        return encrypt_text(self.to_plaintext(value), aad=self.aad_for(model_instance))

    def get_prep_value(self, value: Any) -> Any:
        # Only ciphertext reaches the database: save() and bulk_create() encrypt in pre_save
        # before this is called, but bulk_update() and QuerySet.update() call no pre_save and
        # would store the plaintext they are given: refused here. (An empty value is let
        # through: a migration's default for the rows already there, and lookups on "".)
        if (
            isinstance(value, str)
            and value
            and not isinstance(value, DecryptedForTheColumn)
            and not is_sealed_text(value)
        ):
            raise ValueError(
                f"{self.model._meta.label}.{self.name} is written encrypted, through save() or "
                "bulk_create(): bulk_update() and update() would store it in plaintext."
            )
        return value

    def value_to_string(self, obj: Any) -> str:
        # Serialisation (dumpdata) writes ciphertext, never plaintext.
        return self.pre_save(obj, add=False) or ""


class EncryptedJSONField(EncryptedTextField):
    """A JSON document (dict or list) encrypted as one text value."""

    # What the type checker (django-stubs) takes an instance's attribute for: the document,
    # not the text it is stored as.
    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def to_plaintext(self, value: Any) -> str:
        return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))

    def from_plaintext(self, text: str) -> Any:
        return json.loads(text)

    def formfield(
        self,
        form_class: type[forms.Field] | None = None,
        choices_form_class: type[forms.ChoiceField] | None = None,
        **kwargs: Any,
    ) -> forms.Field | None:
        return (form_class or forms.JSONField)(**kwargs)


class EncryptedFileField(models.BinaryField):
    """The AES-GCM ciphertext of an attached file, bound to its row like the text fields (see
    ``selec.core.files``: ``seal_attachment`` encrypts, ``open_attachment`` decrypts and checks).

    Unlike the text fields, it is never decrypted on load: a file is opened only when it is
    downloaded, one at a time. The type marks the column for ``rotate_encryption_keys``, which
    finds every such column as it finds the encrypted text fields.
    """
