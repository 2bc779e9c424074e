"""A length of time reads as words ("30 minutes"), never as Python prints a timedelta
("0:30:00"): in the lockout page and wherever a duration is told."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.template import Context, Template
from django.test import Client

from partners.models import Officer
from selec.core.durations import humanised_duration
from tests.helpers import login_wizard_password_step


@pytest.mark.parametrize(
    ("duration", "words"),
    [
        (dt.timedelta(minutes=30), "30 minutes"),
        (dt.timedelta(minutes=1), "1 minute"),
        (dt.timedelta(hours=1), "1 hour"),
        (dt.timedelta(hours=24), "1 day"),
        (dt.timedelta(hours=1, minutes=30), "1 hour, 30 minutes"),
        (dt.timedelta(days=2, hours=3, minutes=4), "2 days, 3 hours"),
    ],
)
def test_a_duration_reads_in_its_largest_units(duration: dt.timedelta, words: str) -> None:
    assert humanised_duration(duration) == words


def test_the_template_filter_says_the_same_and_nothing_for_nothing() -> None:
    template = Template("{% load durations %}[{{ d|duration }}]")

    assert template.render(Context({"d": dt.timedelta(minutes=30)})) == "[30 minutes]"
    assert template.render(Context({"d": None})) == "[]"


@pytest.mark.django_db
def test_the_lockout_page_says_when_to_try_again_in_words(client: Client, lo_bg: Officer) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        response = login_wizard_password_step(client, "lo.bg", "not-the-password")

    assert response.status_code == 429
    content = response.content.decode()
    assert f"Try again in {humanised_duration(settings.AXES_COOLOFF_TIME)}." in content
    assert "0:30:00" not in content
