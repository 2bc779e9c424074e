"""Form fields every app's pages share."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from selec.core.files import max_attachment_bytes


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (as Django's documentation shows, "Uploading multiple
    files"), optional unless said otherwise; the size limit is checked before a file is read."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: object, initial: object = None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        cleaned = [super(MultipleFileField, self).clean(f, initial) for f in files]
        limit = max_attachment_bytes()
        for upload in cleaned:
            if upload.size > limit:
                raise ValidationError(
                    _("%(name)s is larger than the %(limit)s limit."),
                    params={"name": upload.name, "limit": filesizeformat(limit)},
                )
        return cleaned


class LabelledForm(forms.Form):
    """A form whose labels end without Django's colon: the pages' labels are questions and
    nouns, laid out above their fields."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
