"""The cases endpoints of the REST API: the same services and answers as the pages.

The client is authenticated with ``force_authenticate`` (authentication is tested in
tests/selec)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from cases.models import Case, OperationalMeeting, Result
from partners.models import Officer
from selec.core.models import AuditAction, AuditEvent
from tests.cases.scenario import add_meeting, open_case, record, send_in_case
from tests.exchanges.scenario import agency_ids
from tests.selec.api_pages import pages, rows

pytestmark = pytest.mark.django_db

# Paging parameters every list refuses (400 on the parameter).
REFUSED: list[dict[str, object]] = [{"limit": 0}, {"limit": 201}, {"cursor": "forged"}]

API = "/api/v1/cases/"


@pytest.fixture(autouse=True)
def _no_throttle_carry_over() -> None:
    cache.clear()


def test_opening_a_case_answers_201_with_its_address(api, lo_ro: Officer, analyst: Officer) -> None:
    response = api(lo_ro).post(
        API,
        {
            "kind": "regional_operation",
            "name": "Road Show",
            "status": "active",
            "started_on": "2026-06-01",
            "ended_on": "2026-06-02",
            "task_force": "stolen_vehicles",
            "crime_area": "stolen_vehicles",
            "description": "Two-day operation on stolen vehicles.",
            "restrictions": {"evidence": True},
            "agencies": agency_ids("Bulgarian Police", "Police of Austria"),
            "analysts": [analyst.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"] == body["url"]
    assert body["reference"].startswith("SELEC-RO-")
    assert body["participants"] == ["AT", "BG", "RO"]
    assert body["handling_codes"] == ["H1"]
    assert body["task_force"] == "stolen_vehicles"
    assert "description" not in body  # the metadata only


def test_refusals_answer_400_with_the_fields_errors(api, lo_ro: Officer) -> None:
    before = Case.objects.count()
    observer = api(lo_ro).post(
        API,
        {
            "kind": "joint_investigation",
            "name": "Refused",
            "started_on": "2026-06-01",
            "personal_data": True,
            "agencies": agency_ids("Police of Austria"),
        },
        format="json",
    )
    assert observer.status_code == 400
    assert (
        "Police of Austria (AT) belongs to an observer" in observer.json()["errors"]["agencies"][0]
    )
    backwards = api(lo_ro).post(
        API,
        {
            "kind": "joint_investigation",
            "name": "Backwards",
            "started_on": "2026-06-01",
            "ended_on": "2026-05-01",
        },
        format="json",
    )
    assert backwards.status_code == 400
    assert "ended_on" in backwards.json()["errors"]
    assert Case.objects.count() == before


def test_the_detail_carries_participants_timeline_meetings_results_and_totals(
    api, lo_ro: Officer, lo_bg: Officer, lo_tr: Officer, analyst: Officer
) -> None:
    case = open_case(lo_ro, "Bulgarian Police", "Turkish Customs", analysts=[analyst])
    exchange = send_in_case(lo_ro, case, "Bulgarian Police", kind="warning")
    meeting = add_meeting(lo_ro, case)
    record(lo_tr, case, "TR", seizures=[("heroin", "584", "kg")], persons_arrested=7)
    record(lo_bg, case, "BG", seizures=[("amphetamines", "250000", "tablets")], persons_charged=2)
    response = api(lo_bg).get(f"{API}{case.reference}/")
    assert response.status_code == 200
    body = response.json()
    assert body["description"] == "Trafficking routes through the Danube ports."
    assert [(p["code"], p["lead"]) for p in body["parties"]] == [
        ("BG", False),
        ("RO", True),
        ("TR", False),
    ]
    assert body["analysts"][0]["username"] == "analyst"
    # The meeting (10 March) comes before the warning sent today.
    assert [(e["type"], e.get("reference")) for e in body["timeline"]] == [
        ("meeting", None),
        ("exchange", exchange.reference),
    ]
    assert body["meetings"][0]["id"] == meeting.pk
    assert body["meetings"][0]["attachments"][0]["filename"] == "minutes.txt"
    assert body["totals"]["overall"]["persons_arrested"] == 7
    assert body["totals"]["overall"]["persons_charged"] == 2
    assert {(t["item"], t["unit"], t["quantity"]) for t in body["totals"]["by_item"]} == {
        ("heroin", "kg", "584.000"),
        ("amphetamines", "tablets", "250000.000"),
    }
    assert sorted(body["permissions"]) == ["add_meeting", "record_result", "view"]
    assert AuditEvent.objects.filter(
        action=AuditAction.CONSULTATION, object_id=str(case.pk), actor=lo_bg
    ).exists()


def test_the_list_filters_by_kind_and_status_and_refuses_unknown_values(
    api, lo_ro: Officer
) -> None:
    operation = open_case(lo_ro, name="Shadow")
    joint = open_case(lo_ro, kind="joint_investigation", name="Dora", status="planned")
    client = api(lo_ro)
    listed = {c["reference"] for c in rows(client, API)}
    assert {operation.reference, joint.reference} <= listed
    joint_only = {c["reference"] for c in rows(client, API, {"kind": "joint_investigation"})}
    assert joint.reference in joint_only
    assert operation.reference not in joint_only
    assert client.get(API, {"status": "nonsense"}).status_code == 400


def test_meetings_with_attachments_are_added_and_downloaded(
    api, lo_ro: Officer, lo_bg: Officer
) -> None:
    case = open_case(lo_ro, "Bulgarian Police")
    response = api(lo_bg).post(
        f"{API}{case.reference}/meetings/",
        {
            "held_on": "2026-04-01",
            "place": "Sofia",
            "parties": ["BG", "RO"],
            "decisions": "Action day on 14 April.",
            "attachments": [SimpleUploadedFile("plan.txt", b"Action plan", "text/plain")],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert sorted(body["parties"]) == ["BG", "RO"]
    download = api(lo_ro).get(body["attachments"][0]["url"])
    assert download.status_code == 200
    assert download.content == b"Action plan"
    listed = api(lo_ro).get(f"{API}{case.reference}/meetings/").json()["results"]
    assert [m["decisions"] for m in listed] == ["Action day on 14 April."]
    unknown = api(lo_bg).post(
        f"{API}{case.reference}/meetings/",
        {"held_on": "2026-04-01", "place": "Sofia", "parties": ["XX"]},
        format="json",
    )
    assert unknown.status_code == 400
    assert OperationalMeeting.objects.filter(case=case).count() == 1


def test_results_are_recorded_and_listed(api, lo_ro: Officer, lo_bg: Officer) -> None:
    case = open_case(lo_ro, "Bulgarian Police")
    response = api(lo_bg).post(
        f"{API}{case.reference}/results/",
        {
            "party": "BG",
            "reported_on": "2026-04-02",
            "persons_arrested": 4,
            "victims_identified": 2,
            "seizures": [
                {"item": "firearms", "quantity": "6", "unit": "pieces"},
                {"item": "ammunition", "quantity": "300", "unit": "pieces"},
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["counts"]["victims_identified"] == 2
    assert [s["item"] for s in response.json()["seizures"]] == ["firearms", "ammunition"]
    other_party = api(lo_bg).post(
        f"{API}{case.reference}/results/",
        {"party": "RO", "reported_on": "2026-04-02", "persons_arrested": 1},
        format="json",
    )
    assert other_party.status_code == 403
    bad = api(lo_bg).post(
        f"{API}{case.reference}/results/",
        {
            "party": "BG",
            "reported_on": "2026-04-02",
            "seizures": [{"item": "heroin", "quantity": "-1", "unit": "kg"}],
        },
        format="json",
    )
    assert bad.status_code == 400
    assert Result.objects.filter(case=case).count() == 1
    listed = api(lo_ro).get(f"{API}{case.reference}/results/").json()["results"]
    assert [r["party"] for r in listed] == ["BG"]


def test_the_status_route_moves_the_case_on(api, lo_ro: Officer) -> None:
    case = open_case(lo_ro)
    client = api(lo_ro)
    assert (
        client.post(f"{API}{case.reference}/status/", {"status": "action_day"}).json()["status"]
        == "action_day"
    )
    refused = client.post(f"{API}{case.reference}/status/", {"status": "planned"})
    assert refused.status_code == 400
    assert "cannot become planned" in refused.json()["errors"]["status"][0]


def test_a_malformed_reference_is_404(api, lo_ro: Officer) -> None:
    for reference in ["SELEC-RO-2026-00019999999999999", "../../etc", "x y"]:
        assert api(lo_ro).get(f"{API}{reference}/").status_code == 404


def _detail_queries(client: APIClient, case: Case) -> int:
    client.get(f"{API}{case.reference}/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"{API}{case.reference}/").status_code == 200
    return len(queries.captured_queries)


def test_the_detail_costs_the_same_queries_for_a_small_and_a_large_case(
    api, lo_ro: Officer, lo_bg: Officer
) -> None:
    small = open_case(lo_ro, "Bulgarian Police", name="Small")
    large = open_case(lo_ro, "Bulgarian Police", "Turkish Customs", "Moldovan Police", name="Large")
    for case, count in ((small, 1), (large, 6)):
        for day in range(1, count + 1):
            send_in_case(lo_ro, case)
            add_meeting(lo_bg, case, held_on=case.started_on.replace(day=day))
            record(lo_bg, case, "BG", seizures=[("heroin", "1", "kg"), ("alcohol", "2", "litres")])
    client = api(lo_ro)
    assert _detail_queries(client, large) == _detail_queries(client, small)


# --- Lists: pages of the API's one cursor pagination ---------------------------------------


def test_the_case_list_pages_through_every_case_the_caller_sees_newest_first(
    api, lo_ro: Officer, lo_tr: Officer
) -> None:
    mine = [open_case(lo_ro, "Bulgarian Police", name=f"Case {i}") for i in range(7)]
    for i, case in enumerate(mine):
        # Three start dates: cases that tie on the date come by their id.
        Case.objects.filter(pk=case.pk).update(started_on=dt.date(2026, 1 + i % 3, 1))
    hidden = open_case(lo_tr, "Hellenic Police", name="Aegean")
    walked = pages(api(lo_ro), API, {"limit": 2})
    listed = [c["reference"] for page in walked for c in page["results"]]
    expected = Case.objects.filter(pk__in=[c.pk for c in mine]).order_by("-started_on", "-pk")
    assert [r for r in listed if r in {c.reference for c in mine}] == [
        c.reference for c in expected
    ]
    assert len(listed) == len(set(listed))
    assert hidden.reference not in listed
    assert walked[0]["results"][0] == api(lo_ro).get(API, {"limit": 1}).json()["results"][0]
    back = api(lo_ro).get(walked[2]["previous"]).json()
    assert back["results"] == walked[1]["results"]


def test_the_case_list_shows_the_same_metadata_as_a_write_answers(api, lo_ro: Officer) -> None:
    created = (
        api(lo_ro)
        .post(
            API,
            {"kind": "joint_investigation", "name": "Same", "started_on": "2030-01-01"},
            format="json",
        )
        .json()
    )
    assert api(lo_ro).get(API, {"limit": 1}).json()["results"] == [created]


def _list_queries(client: APIClient, url: str) -> int:
    client.get(url)  # the permission ids and such, cached for the process from then on
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


def test_a_page_of_cases_costs_the_same_queries_for_one_case_or_many(
    api, lo_ro: Officer, django_assert_num_queries
) -> None:
    client = api(lo_ro)
    open_case(lo_ro, "Bulgarian Police", name="One")
    one = _list_queries(client, API)
    for i in range(6):
        open_case(lo_ro, "Bulgarian Police", "Turkish Customs", name=f"Many {i}")
    with django_assert_num_queries(one):
        assert len(client.get(API).json()["results"]) >= 7


def test_meetings_and_results_page_in_order_at_constant_queries(
    api, lo_ro: Officer, lo_bg: Officer, django_assert_num_queries
) -> None:
    case = open_case(lo_ro, "Bulgarian Police")
    add_meeting(lo_bg, case, held_on=case.started_on.replace(day=9))
    record(lo_bg, case, "BG", seizures=[("heroin", "1", "kg")])
    client = api(lo_ro)
    meetings, results = f"{API}{case.reference}/meetings/", f"{API}{case.reference}/results/"
    counts = (_list_queries(client, meetings), _list_queries(client, results))
    for day in range(1, 6):
        add_meeting(lo_bg, case, held_on=case.started_on.replace(day=day))
        record(lo_bg, case, "BG", seizures=[("heroin", "1", "kg"), ("alcohol", "2", "litres")])
    with django_assert_num_queries(counts[0]):
        assert len(client.get(meetings).json()["results"]) == 6
    with django_assert_num_queries(counts[1]):
        assert len(client.get(results).json()["results"]) == 6
    walked = [m["id"] for m in rows(client, meetings, {"limit": 4})]
    assert walked == list(
        OperationalMeeting.objects.filter(case=case)
        .order_by("held_on", "pk")
        .values_list("pk", flat=True)
    )
    assert [r["id"] for r in rows(client, results, {"limit": 4})] == list(
        Result.objects.filter(case=case).order_by("reported_on", "pk").values_list("pk", flat=True)
    )


def test_a_case_list_refuses_a_bad_limit_or_cursor_and_audits_no_consultation(
    api, lo_ro: Officer
) -> None:
    case = open_case(lo_ro, "Bulgarian Police")
    client = api(lo_ro)
    consulted = AuditEvent.objects.filter(action=AuditAction.CONSULTATION, object_id=str(case.pk))
    before = consulted.count()
    for url in [API, f"{API}{case.reference}/meetings/", f"{API}{case.reference}/results/"]:
        for params in REFUSED:
            response = client.get(url, params)
            assert response.status_code == 400, (url, params)
            assert set(response.json()["errors"]) == set(params), (url, params)
    assert consulted.count() == before


def test_an_outsider_gets_404_for_the_lists_of_a_case(api, lo_ro: Officer, outsider) -> None:
    case = open_case(lo_ro, "Bulgarian Police")
    client = api(outsider)
    for url in [f"{API}{case.reference}/meetings/", f"{API}{case.reference}/results/"]:
        assert client.get(url).status_code == 404
        assert client.get(url, {"limit": 0}).status_code == 404
    assert case.reference not in client.get(API).content.decode()
