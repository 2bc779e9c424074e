"""The template tags every page may use."""

from __future__ import annotations

import datetime as dt
import re
import uuid
import zoneinfo
from html import escape

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format

from selec.core.idempotency import FORM_FIELD
from selec.core.templatetags.selec_tags import HANDLING_MEANINGS


def test_idempotency_key_renders_a_hidden_field_with_a_new_uuid_each_time() -> None:
    template = Template("{% load selec_tags %}{% idempotency_key %}")

    first, second = template.render(Context()), template.render(Context())

    pattern = rf'<input type="hidden" name="{FORM_FIELD}" value="([0-9a-f]{{32}})">'
    keys = [re.fullmatch(pattern, rendered) for rendered in (first, second)]
    assert all(keys), (first, second)
    values = [match.group(1) for match in keys if match]
    assert uuid.UUID(values[0]).version == 4
    assert values[0] != values[1]


def test_moment_shows_the_local_time_with_its_utc_value_and_escapes_nothing_unsafe() -> None:
    template = Template('{% load selec_tags %}{% moment value %}|{% moment value "j M Y" %}')
    value = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)

    with timezone.override(zoneinfo.ZoneInfo("Europe/Bucharest")):
        rendered = template.render(Context({"value": value}))

    assert rendered == (
        '<time datetime="2026-03-01T09:30:00Z" title="2026-03-01 09:30 UTC">1 Mar 2026, 11:30 '
        'EET</time>|<time datetime="2026-03-01T09:30:00Z" title="2026-03-01 09:30 UTC">'
        "1 Mar 2026 EET</time>"
    )
    assert Template("{% load selec_tags %}{% moment None %}").render(Context({})) == "—"


def test_handling_badges_are_in_the_active_language_each_time() -> None:
    template = Template("{% load selec_tags %}{% handling_badges codes %}")
    context = {"codes": ["H0", "H2"]}

    english = template.render(Context(context))
    with translation.override("ro"):
        romanian = template.render(Context(context))
        meaning = str(HANDLING_MEANINGS["H2"])

    assert english.count('<span class="badge handling') == 2
    assert str(HANDLING_MEANINGS["H2"]) in english
    assert meaning != str(HANDLING_MEANINGS["H2"])
    assert f'title="{meaning}"' in romanian
    assert template.render(Context(context)) == english


@pytest.mark.parametrize("language", [code for code, _ in settings.LANGUAGES])
@pytest.mark.parametrize("style", ["j M Y, H:i", "j M Y", "j M Y, H:i:s", r"\o\n j M {Y}"])
def test_moment_draws_every_month_as_django_formats_it_in_each_language(
    language: str, style: str
) -> None:
    # The styles are drawn by a template made once per language; Django's formatter is the
    # reference (a translated month's abbreviation, escaped letters, braces kept as text).
    days = [dt.datetime(2025, month, 3 + month, month, 4 * month, 59) for month in range(1, 13)]
    template = Template("{% load selec_tags %}{% moment value style %}")

    with translation.override(language), timezone.override(dt.UTC):
        for day in days:
            rendered = template.render(
                Context({"value": day.replace(tzinfo=dt.UTC), "style": style})
            )
            assert f">{escape(date_format(day, style))} UTC</time>" in rendered


def test_moment_draws_a_style_it_has_no_template_for_as_django_does() -> None:
    value = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)
    template = Template('{% load selec_tags %}{% moment value "l, jS F Y" %}')

    with timezone.override(dt.UTC):
        rendered = template.render(Context({"value": value}))

    assert ">Sunday, 1st March 2026 UTC</time>" in rendered
