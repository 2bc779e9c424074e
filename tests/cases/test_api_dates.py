"""The days a caller dates a case, a meeting or a result by: from 1900-01-01 to 2100-12-31,
refused with 400 on the field otherwise (the services' rule, so the pages refuse them too), and
the timeline's instants written as RFC 3339 whatever the zone's offset was on the day."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from cases.models import Case, OperationalMeeting, Result
from partners.models import Officer
from tests.cases.scenario import add_meeting, open_case

pytestmark = pytest.mark.django_db

API = "/api/v1/cases/"
OUT_OF_RANGE = ["1899-12-31", "0078-07-29", "2101-01-01", "9999-12-31"]
RANGE_MESSAGE = "Choose a day from 1900-01-01 to 2100-12-31."
# RFC 3339: an offset of hours and minutes, or Z.
RFC_3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")


@pytest.fixture(autouse=True)
def _no_throttle_carry_over() -> None:
    cache.clear()


def _open(client: APIClient, name: str, **dates: str) -> Any:
    return client.post(API, {"kind": "joint_investigation", "name": name, **dates}, format="json")


@pytest.mark.parametrize("day", OUT_OF_RANGE)
@pytest.mark.parametrize("field", ["started_on", "ended_on"])
def test_a_case_dated_outside_the_range_is_refused(
    api, lo_ro: Officer, field: str, day: str
) -> None:
    response = _open(api(lo_ro), "Out of time", **{"started_on": "2026-06-01", field: day})
    assert response.status_code == 400, response.content
    assert RANGE_MESSAGE in response.json()["errors"][field]
    # The name is encrypted at rest: compared once decrypted, not in SQL.
    assert "Out of time" not in {case.name for case in Case.objects.all()}


def test_a_case_on_the_range_s_first_and_last_days_is_opened(api, lo_ro: Officer) -> None:
    response = _open(api(lo_ro), "Long", started_on="1900-01-01", ended_on="2100-12-31")
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("day", OUT_OF_RANGE)
@pytest.mark.parametrize("field", ["held_on", "held_until"])
def test_a_meeting_dated_outside_the_range_is_refused(
    api, lo_ro: Officer, field: str, day: str
) -> None:
    case = open_case(lo_ro, "Bulgarian Police")
    dates = {"held_on": "2026-03-10", field: day}
    response = api(lo_ro).post(
        f"{API}{case.reference}/meetings/", {"place": "Bucharest", **dates}, format="json"
    )
    assert response.status_code == 400, response.content
    assert RANGE_MESSAGE in response.json()["errors"][field]
    assert not OperationalMeeting.objects.filter(case=case).exists()


@pytest.mark.parametrize("day", OUT_OF_RANGE)
def test_a_result_dated_outside_the_range_is_refused(api, lo_ro: Officer, day: str) -> None:
    case = open_case(lo_ro, "Bulgarian Police")
    response = api(lo_ro).post(
        f"{API}{case.reference}/results/", {"party": "RO", "reported_on": day}, format="json"
    )
    assert response.status_code == 400, response.content
    assert response.json()["errors"]["reported_on"] == [RANGE_MESSAGE]
    assert not Result.objects.filter(case=case).exists()


def test_the_schema_states_the_range_of_the_days(api, lo_ro: Officer) -> None:
    schema = api(lo_ro).get("/api/schema/", {"format": "json"}).json()["components"]["schemas"]
    for component, field in [
        ("CaseCreateRequest", "started_on"),
        ("CaseCreateRequest", "ended_on"),
        ("MeetingCreateRequest", "held_on"),
        ("MeetingCreateRequest", "held_until"),
        ("ResultCreateRequest", "reported_on"),
    ]:
        assert (
            "From 1900-01-01 to 2100-12-31."
            in schema[component]["properties"][field]["description"]
        ), (component, field)


def test_a_meeting_of_1920_is_on_the_timeline_at_an_rfc_3339_instant(api, lo_ro: Officer) -> None:
    # Bucharest kept its local mean time (+01:44:24) until 1931: not an RFC 3339 offset.
    case = open_case(lo_ro, "Bulgarian Police")
    add_meeting(lo_ro, case, held_on=dt.date(1920, 5, 4), attachments=())
    add_meeting(lo_ro, case, held_on=dt.date(2026, 3, 10), attachments=())

    timeline = api(lo_ro).get(f"{API}{case.reference}/").json()["timeline"]

    instants = sorted(entry["at"] for entry in timeline if entry["type"] == "meeting")
    assert all(RFC_3339.fullmatch(at) for at in instants), instants
    assert instants == ["1920-05-03T22:15:36Z", "2026-03-10T00:00:00+02:00"]


def test_an_empty_day_in_a_multipart_meeting_is_not_a_day(api, lo_ro: Officer) -> None:
    # DRF would read it as null; the schema says a date: a meeting of one day leaves it out.
    case = open_case(lo_ro, "Bulgarian Police")
    url = f"{API}{case.reference}/meetings/"
    empty = api(lo_ro).post(
        url, {"held_on": "2026-03-10", "held_until": "", "place": "Sofia"}, format="multipart"
    )
    left_out = api(lo_ro).post(url, {"held_on": "2026-03-10", "place": "Sofia"}, format="multipart")

    assert empty.status_code == 400
    assert list(empty.json()["errors"]) == ["held_until"]
    assert left_out.status_code == 201, left_out.json()
    assert left_out.json()["held_until"] is None


def test_a_json_meeting_of_one_day_may_say_null(api, lo_ro: Officer) -> None:
    case = open_case(lo_ro, "Bulgarian Police")
    response = api(lo_ro).post(
        f"{API}{case.reference}/meetings/",
        {"held_on": "2026-03-10", "held_until": None, "place": "Sofia"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["held_until"] is None
