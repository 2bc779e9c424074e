"""The one form field and the one serializer of the handling restrictions
(``selec.core.restriction_fields``): what they yield, what they refuse, how they render."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.http import QueryDict
from rest_framework import serializers

from selec.core.policy_values import Restrictions
from selec.core.restriction_fields import (
    MAX_TEXT,
    UNRESTRICTED,
    Owner,
    RestrictionsField,
    RestrictionsSerializer,
)
from tests.form_labels import control_labelled, label_problems


class _Form(forms.Form):
    restrictions = RestrictionsField()


class _ComposeLike(forms.Form):
    restrictions = RestrictionsField(h3_tick=True)


class _CaseLike(forms.Form):
    restrictions = RestrictionsField(owner=Owner.LEAD)


def _cleaned(form: forms.Form) -> Restrictions:
    assert form.is_valid(), form.errors
    chosen: Restrictions = form.cleaned_data["restrictions"]
    return chosen


def _errors(form: forms.Form) -> list[str]:
    assert not form.is_valid()
    return [str(message) for message in form.errors["restrictions"]]


# --- The value ------------------------------------------------------------------------------


def test_the_value_normalises_its_text_on_construction() -> None:
    assert Restrictions(text=" Line one.\r\nLine two.\rLine three.\r\n") == Restrictions(
        text="Line one.\nLine two.\nLine three."
    )
    assert Restrictions(text=" \r\n ").codes == ()


# --- The form field -------------------------------------------------------------------------


def test_each_code_has_its_input_named_after_it_inside_its_own_label() -> None:
    html = str(_ComposeLike())
    assert label_problems(html) == []
    for label, name in {
        "H1: not to be disclosed in judicial proceedings without your permission": "h1",
        "H2: not to be disseminated without your permission": "h2",
        "H3: other restrictions": "h3",
        "Text of the H3 restriction": "h3_text",
    }.items():
        control = control_labelled(html, label)
        assert (control["name"], control["id"]) == (name, f"id_{name}"), label
    assert 'id="h3-text-field"' in html
    assert 'aria-describedby="id_h3_text_helptext"' in html


def test_without_the_tick_the_text_alone_is_h3_and_no_h3_box_is_drawn() -> None:
    html = str(_Form())
    assert 'name="h3"' not in html
    assert control_labelled(html, "H3: other restrictions (free text)")["name"] == "h3_text"
    assert _cleaned(_Form({"h3_text": "Not for the press."})) == Restrictions(
        text="Not for the press."
    )


def test_the_owner_wording_names_the_cases_lead() -> None:
    html = str(_CaseLike())
    box = control_labelled(html, "H1: not to be disclosed in judicial proceedings without the lead")
    assert box["name"] == "h1"
    assert "your permission" not in html


def test_a_form_prefix_goes_before_every_input_name_and_id() -> None:
    html = str(_Form(prefix="reply"))
    assert label_problems(html) == []
    assert control_labelled(html, "H2:")["name"] == "reply-h2"
    assert control_labelled(html, "H3:")["id"] == "id_reply-h3_text"
    posted = _Form({"reply-h1": "on", "reply-h3_text": "Ours."}, prefix="reply")
    assert _cleaned(posted) == Restrictions(evidence=True, text="Ours.")


@pytest.mark.parametrize(
    "chosen",
    [
        UNRESTRICTED,
        Restrictions(evidence=True),
        Restrictions(dissemination=True, text="Line one.\nLine two."),
        Restrictions(evidence=True, dissemination=True, text="Not for the press."),
    ],
)
def test_what_the_form_shows_it_reads_back(chosen: Restrictions) -> None:
    shown = _ComposeLike(initial={"restrictions": chosen})
    html = str(shown)
    data: dict[str, Any] = {}
    for label, name in (("H1:", "h1"), ("H2:", "h2"), ("H3:", "h3")):
        if "checked" in control_labelled(html, label):
            data[name] = "on"
    data["h3_text"] = chosen.text
    assert _cleaned(_ComposeLike(data)) == chosen
    assert not _ComposeLike(data, initial={"restrictions": chosen}).has_changed()


def test_a_crlf_text_is_the_same_restriction_as_its_lf_text() -> None:
    crlf = _cleaned(_Form({"h3_text": "Line one.\r\nLine two.\r\n"}))
    lf = _cleaned(_Form({"h3_text": "Line one.\nLine two."}))
    assert crlf == lf
    assert crlf.text == "Line one.\nLine two."


def test_the_h3_tick_and_its_text_go_together_where_the_page_asks_for_the_tick() -> None:
    assert _errors(_ComposeLike({"h3": "on", "h3_text": "  "})) == [
        "Write the H3 restriction, or untick H3."
    ]
    assert _errors(_ComposeLike({"h3_text": "Not for the press."})) == [
        "Tick H3 to apply this text, or clear it."
    ]
    assert _cleaned(_ComposeLike({"h3": "on", "h3_text": "Not for the press."})).text == (
        "Not for the press."
    )


def test_a_text_longer_than_the_limit_is_refused() -> None:
    assert _errors(_Form({"h3_text": "x" * (MAX_TEXT + 1)}))
    assert _cleaned(_Form({"h3_text": "x" * MAX_TEXT})).text == "x" * MAX_TEXT


def test_an_inherited_floor_is_shown_ticked_and_fixed_and_cannot_be_lifted() -> None:
    def reply_form(data: dict[str, str] | None = None) -> _Form:
        form = _Form(data)
        field = form.fields["restrictions"]
        assert isinstance(field, RestrictionsField)
        field.inherit(Restrictions(dissemination=True, text="The parent's."))
        return form

    html = str(reply_form())
    assert label_problems(html) == []
    box = control_labelled(html, "H2:")
    assert "checked" in box
    assert "disabled" in box
    assert "disabled" not in control_labelled(html, "H1:")
    # Posted unticked, or not posted at all (as a browser does with a disabled box).
    for data in ({"h2": "", "h3_text": "Ours."}, {"h3_text": "Ours."}):
        # The parent's H3 text is the service's to keep beside the reply's own.
        assert _cleaned(reply_form(data)) == Restrictions(dissemination=True, text="Ours.")


def test_the_preview_reads_a_form_still_being_filled_in() -> None:
    form = _ComposeLike({"h2": "on", "h3": "on", "h3_text": ""})
    assert not form.is_valid()
    field = form.fields["restrictions"]
    assert isinstance(field, RestrictionsField)
    assert field.lenient(form["restrictions"].data) == Restrictions(dissemination=True)
    unticked = _ComposeLike({"h3_text": "Typed, not ticked."})
    assert field.lenient(unticked["restrictions"].data) == UNRESTRICTED


# --- The serializer -------------------------------------------------------------------------


def _parsed(data: Any, base: Restrictions = UNRESTRICTED) -> Restrictions:
    serializer = RestrictionsSerializer(data=data, base=base)
    assert serializer.is_valid(), serializer.errors
    parsed: Restrictions = serializer.validated_data
    return parsed


@pytest.mark.parametrize(
    "chosen",
    [
        UNRESTRICTED,
        Restrictions(evidence=True),
        Restrictions(dissemination=True, text="Line one.\nLine two."),
    ],
)
def test_the_serializer_reads_back_what_it_writes(chosen: Restrictions) -> None:
    written = RestrictionsSerializer(chosen).data
    assert set(written) == {"evidence", "dissemination", "text"}
    assert _parsed(dict(written)) == chosen


def test_members_left_out_keep_the_base() -> None:
    current = Restrictions(evidence=True, text="Not for the press.")
    assert _parsed({}, current) == current
    assert _parsed({"dissemination": True}, current) == Restrictions(
        evidence=True, dissemination=True, text="Not for the press."
    )
    assert _parsed({"text": ""}, current) == Restrictions(evidence=True)
    assert _parsed({"evidence": True}) == Restrictions(evidence=True)


def test_the_serializer_takes_crlf_and_lf_as_the_same_text() -> None:
    assert _parsed({"text": "Line one.\r\nLine two.\r\n"}) == _parsed(
        {"text": "Line one.\nLine two."}
    )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"text": "x" * (MAX_TEXT + 1)}, "text"),
        ({"evidence": "perhaps"}, "evidence"),
        (["evidence"], "non_field_errors"),
    ],
)
def test_the_serializer_refuses_what_is_not_restrictions(data: Any, field: str) -> None:
    serializer = RestrictionsSerializer(data=data)
    assert not serializer.is_valid()
    assert field in serializer.errors


class _Message(serializers.Serializer):
    restrictions = RestrictionsSerializer(default=UNRESTRICTED)


def test_nested_it_comes_as_json_or_as_a_json_string_in_a_form_body() -> None:
    as_json = _Message(data={"restrictions": {"dissemination": True}})
    form_body = QueryDict(mutable=True)
    form_body["restrictions"] = '{"dissemination": true}'
    in_form = _Message(data=form_body)
    for serializer in (as_json, in_form):
        assert serializer.is_valid(), serializer.errors
        assert serializer.validated_data["restrictions"] == Restrictions(dissemination=True)


def test_nested_and_left_out_it_is_h0_and_bad_json_is_refused_on_the_field() -> None:
    left_out = _Message(data={})
    assert left_out.is_valid()
    assert left_out.validated_data["restrictions"] == UNRESTRICTED
    form_body = QueryDict(mutable=True)
    form_body["restrictions"] = "{evidence"
    refused = _Message(data=form_body)
    assert not refused.is_valid()
    assert "Not valid JSON" in str(refused.errors["restrictions"])
