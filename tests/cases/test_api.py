"""The cases endpoints of the REST API: the same services and answers as the pages.

The client is authenticated with ``force_authenticate`` (authentication is tested in
tests/selec)."""

from __future__ import annotations

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

pytestmark = pytest.mark.django_db

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
    listed = {c["reference"] for c in client.get(API).json()}
    assert {operation.reference, joint.reference} <= listed
    joint_only = {c["reference"] for c in client.get(API, {"kind": "joint_investigation"}).json()}
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
    listed = api(lo_ro).get(f"{API}{case.reference}/meetings/").json()
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
    listed = api(lo_ro).get(f"{API}{case.reference}/results/").json()
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
