"""The one shape of the handling restrictions at the edges: ``RestrictionsField``, the form field
of every page that sets restrictions, and ``RestrictionsSerializer``, the API's. Both yield a
``selec.core.policy_values.Restrictions`` (whose H3 text is normalised on construction); the
rules about restrictions (what a reply inherits, what a change tightens, which stored text a
change keeps) stay in the services and the policies.

The form field's inputs are named after the handling codes, behind the form's prefix if it has
one: ``h1`` (evidence), ``h2`` (dissemination), ``h3`` (the H3 tick, where the page asks for
one) and ``h3_text``; their ids are ``id_h1``, ``id_h2``, ``id_h3`` and ``id_h3_text``, and the
H3 text with its label sits in the block ``h3-text-field`` (``static/js/compose.js`` hides it
until H3 is ticked). Each box is drawn inside its own label.

The API's object is ``{"evidence": bool, "dissemination": bool, "text": str}``, in JSON or, in
a multipart body, as one JSON string; a member left out keeps the ``base`` value: none for a
new message or case, the current restrictions for a change.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.utils import html

from selec.core.api_fields import FlagField, TextField
from selec.core.api_parsers import json_loads
from selec.core.policy_values import Restrictions

if TYPE_CHECKING:
    from django.forms.renderers import BaseRenderer
    from django_stubs_ext import StrOrPromise

# The longest H3 text: readers confirm it before the content, it is a restriction, not a note.
MAX_TEXT = 2000
# The inputs, in the order of the field's values: H1, H2, the H3 tick, the H3 text.
INPUTS = ("h1", "h2", "h3", "h3_text")
UNRESTRICTED = Restrictions()  # H0 alone


class Owner(enum.Enum):
    """Whose permission lifting H1 or H2 takes, as the labels say it."""

    YOU = "you"  # the officer who sends or provides the information
    LEAD = "lead"  # a case's lead


# Whole sentences per owner, for the translators.
CODE_LABELS: dict[Owner, tuple[StrOrPromise, StrOrPromise]] = {
    Owner.YOU: (
        _("H1: not to be disclosed in judicial proceedings without your permission"),
        _("H2: not to be disseminated without your permission"),
    ),
    Owner.LEAD: (
        _("H1: not to be disclosed in judicial proceedings without the lead's permission"),
        _("H2: not to be disseminated without the lead's permission"),
    ),
}
H3_TICK_LABEL = _("H3: other restrictions")
TEXT_LABEL_AFTER_TICK = _("Text of the H3 restriction")
TEXT_LABEL = _("H3: other restrictions (free text)")
READERS_CONFIRM = _("Every reader confirms this text before seeing the content.")


def _input_names(name: str) -> list[str]:
    """The inputs' names: the codes, behind the form's prefix (``reply-restrictions`` gives
    ``reply-h1``...)."""
    head, dash, _field = name.rpartition("-")
    return [f"{head}{dash}{code}" for code in INPUTS]


def _input_id(field_id: str, name: str, input_name: str) -> str:
    """An input's id from the field's (``id_restrictions`` gives ``id_h1``)."""
    if field_id.endswith(name):
        return field_id[: len(field_id) - len(name)] + input_name
    return f"{field_id}_{input_name}"


class RestrictionsWidget(forms.MultiWidget):
    """Two boxes (three with the H3 tick) inside their labels, and the H3 text with its own."""

    def __init__(
        self,
        *,
        owner: Owner,
        floor: Restrictions,
        h3_tick: bool,
        text_help: StrOrPromise,
        attrs: dict[str, Any] | None = None,
    ) -> None:
        textarea = forms.Textarea(attrs={"rows": 3, "maxlength": MAX_TEXT})
        widgets = [forms.CheckboxInput(), forms.CheckboxInput(), forms.CheckboxInput(), textarea]
        super().__init__(widgets, attrs)
        self.owner, self.floor, self.h3_tick, self.text_help = owner, floor, h3_tick, text_help

    def decompress(self, value: Restrictions | None) -> list[Any]:
        value = value or UNRESTRICTED
        return [value.evidence, value.dissemination, bool(value.text), value.text]

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[Any]:
        evidence, dissemination, tick, text = (
            widget.value_from_datadict(data, files, input_name)
            for widget, input_name in zip(self.widgets, _input_names(name), strict=True)
        )
        # An inherited code stays set whatever is posted (a disabled box is not posted at all).
        # Without a tick on the page, the text alone sets H3 (as ``decompress`` reads it).
        return [
            evidence or self.floor.evidence,
            dissemination or self.floor.dissemination,
            tick if self.h3_tick else bool(text),
            text,
        ]

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return all(
            widget.value_omitted_from_data(data, files, input_name)
            for widget, input_name in zip(self.widgets, _input_names(name), strict=True)
        )

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        values = value if isinstance(value, list | tuple) else self.decompress(value)
        common = self.build_attrs(self.attrs, attrs)
        field_id = common.pop("id", "")
        names = _input_names(name)
        ids = [_input_id(field_id, name, n) if field_id else "" for n in names]
        h1, h2 = CODE_LABELS[self.owner]
        boxes = [(0, h1, self.floor.evidence), (1, h2, self.floor.dissemination)]
        if self.h3_tick:
            boxes.append((2, H3_TICK_LABEL, False))
        parts = []
        for i, label, inherited in boxes:
            box_attrs = {**common, "id": ids[i]} if ids[i] else dict(common)
            if inherited:
                box_attrs["disabled"] = True
            box = self.widgets[i].render(names[i], values[i] or inherited, box_attrs, renderer)
            parts.append(format_html('<label for="{}">{} {}</label>', ids[i], box, label))
        parts.append(self._render_text(names[3], ids[3], values[3], common, renderer))
        return format_html_join("\n", "{}", ((part,) for part in parts))

    def _render_text(
        self,
        name: str,
        text_id: str,
        value: Any,
        common: dict[str, Any],
        renderer: BaseRenderer | None,
    ) -> SafeString:
        text_attrs = dict(common)
        help_id = f"{text_id}_helptext"
        if text_id:
            text_attrs["id"] = text_id
            if self.text_help:
                text_attrs["aria-describedby"] = help_id
        label = TEXT_LABEL_AFTER_TICK if self.h3_tick else TEXT_LABEL
        textarea = self.widgets[3].render(name, value, text_attrs, renderer)
        help_text = (
            format_html('<div class="helptext" id="{}">{}</div>', help_id, self.text_help)
            if self.text_help
            else ""
        )
        block_id = name.removesuffix("h3_text") + "h3-text-field"
        return format_html(
            '<div id="{}"><label for="{}">{}</label>{}{}</div>',
            block_id,
            text_id,
            label,
            help_text,
            textarea,
        )


class RestrictionsField(forms.MultiValueField):
    """H1, H2 and H3 in one field, cleaned into a ``Restrictions``.

    ``owner``: whose permission the H1 and H2 labels name. ``floor``: codes inherited (a
    reply's parent's H1 and H2), shown ticked and fixed and kept whatever is posted; the
    parent's H3 text is the service's to keep (``exchanges.policy.inherited``). ``h3_tick``:
    the text applies only with the H3 box ticked, and a text without the tick (or the tick
    without a text) is refused. ``text_help``: what the H3 text's help says."""

    widget: RestrictionsWidget

    def __init__(
        self,
        *,
        owner: Owner = Owner.YOU,
        floor: Restrictions = UNRESTRICTED,
        h3_tick: bool = False,
        text_help: StrOrPromise = READERS_CONFIRM,
        **kwargs: Any,
    ) -> None:
        fields = (
            forms.BooleanField(required=False),
            forms.BooleanField(required=False),
            forms.BooleanField(required=False),
            forms.CharField(required=False, max_length=MAX_TEXT),
        )
        kwargs.setdefault("label", _("Handling restrictions"))
        kwargs.setdefault("required", False)
        widget = RestrictionsWidget(owner=owner, floor=floor, h3_tick=h3_tick, text_help=text_help)
        super().__init__(fields, widget=widget, require_all_fields=False, **kwargs)
        self.floor, self.h3_tick = floor, h3_tick

    def inherit(self, floor: Restrictions) -> None:
        """Fix the codes a reply inherits (its parent's restrictions) as the field's floor."""
        self.floor = self.widget.floor = floor

    def compress(self, data_list: Sequence[Any]) -> Restrictions:
        if not data_list:
            return self._floored(UNRESTRICTED)
        evidence, dissemination, tick, text = data_list
        chosen = Restrictions(evidence=evidence, dissemination=dissemination, text=text or "")
        if self.h3_tick:
            if tick and not chosen.text:
                raise ValidationError(_("Write the H3 restriction, or untick H3."), code="no_text")
            if chosen.text and not tick:
                raise ValidationError(_("Tick H3 to apply this text, or clear it."), code="no_tick")
        return self._floored(chosen)

    def lenient(self, value: Any) -> Restrictions:
        """What the inputs set so far, their errors aside: for a preview of a form still being
        filled in (the compose page's audience panel). The text counts only with its tick where
        the field asks for one."""
        if not isinstance(value, list | tuple) or len(value) != len(INPUTS):
            return self._floored(UNRESTRICTED)
        evidence, dissemination, tick, text = value
        counts = not self.h3_tick or bool(tick)
        return self._floored(
            Restrictions(
                evidence=bool(evidence),
                dissemination=bool(dissemination),
                text=str(text or "") if counts else "",
            )
        )

    def _floored(self, chosen: Restrictions) -> Restrictions:
        """The codes chosen, with the inherited H1 and H2 that no input can lift."""
        return Restrictions(
            evidence=chosen.evidence or self.floor.evidence,
            dissemination=chosen.dissemination or self.floor.dissemination,
            text=chosen.text,
        )


def _json_object(text: str) -> Any:
    """The object a multipart body carries as a JSON string (with the JSON body's limits)."""
    try:
        return json_loads(text)
    except ValueError as exc:
        # Translators: %(reason)s is what the JSON parser found wrong (in English).
        raise serializers.ValidationError(
            _("Not valid JSON: %(reason)s") % {"reason": exc}
        ) from exc


class RestrictionsSerializer(serializers.Serializer):
    """The handling restrictions: H1 (evidence), H2 (dissemination) and H3 (a text every reader
    confirms); H0 holds for everything. A member left out is false (no text) on a new exchange,
    reply or case, and keeps its current value in a change. In a multipart body the object
    comes as one JSON string."""

    # For the code (the docstring is the schema's): ``validated_data`` is a ``Restrictions``;
    # members left out take ``base``'s values (the view gives the current restrictions for a
    # PATCH). Every request body's restrictions are this one component.

    evidence = FlagField(
        required=False,
        help_text="H1: not to be disclosed in judicial proceedings without the provider's "
        "permission. Left out: unchanged (false on a new message or case).",
    )
    dissemination = FlagField(
        required=False,
        help_text="H2: not to be disseminated without the provider's permission. Left out: "
        "unchanged (false on a new message or case).",
    )
    text = TextField(
        required=False,
        allow_blank=True,
        max_length=MAX_TEXT,
        help_text="H3: other restrictions; readers confirm the text before the content. Line "
        "breaks are kept as LF and blank edges dropped, so CRLF and LF are the same text. "
        "Empty: no H3. Left out: unchanged (none on a new message or case).",
    )

    def __init__(
        self,
        *args: Any,
        base: Restrictions = UNRESTRICTED,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.base = base

    def get_value(self, dictionary: Mapping[str, Any]) -> Any:
        # A form body carries the object as one JSON string, not as dotted keys.
        if not html.is_html_input(dictionary) or self.field_name is None:
            return super().get_value(dictionary)
        return dictionary.get(self.field_name, empty)

    def to_internal_value(self, data: Any) -> Any:
        # Only a member of a multipart body comes as a JSON string; a whole request body that
        # is a string is refused by the serializer as any body that is not an object.
        if isinstance(data, str) and self.parent is not None:
            data = _json_object(data)
        given = super().to_internal_value(data)
        return Restrictions(**{**asdict(self.base), **given})

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return asdict(instance)
