"""The API's read-only directory (parties, agencies, crime areas, task forces) and the caller's
notifications: what they answer, to whom, and at a constant number of queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from exchanges.models import ExchangeNotificationKind
from partners.models import Agency, AgencyKind, Officer, Party, PartyKind, PartyStatus, Role
from partners.services.directory import agency_create, party_create
from partners.services.officers import officer_create
from selec.core.models import Notification
from taskforces.models import CrimeArea, SubTaskForce, TaskForce
from taskforces.services import membership_add
from tests.selec.api_pages import rows

pytestmark = pytest.mark.django_db

V1 = "/api/v1"
MEMBERS = ["AL", "BA", "BG", "MK", "GR", "HU", "MD", "ME", "RO", "RS", "TR"]


@pytest.fixture
def api() -> Callable[[Officer | None], APIClient]:
    """``api(officer)``: a client the API takes for that officer (``None``: no credentials)."""

    def _api(officer: Officer | None) -> APIClient:
        client = APIClient()
        if officer is not None:
            client.force_authenticate(user=officer)
        return client

    return _api


# --- Directory ------------------------------------------------------------------------------


def test_parties_list_every_party_with_its_status_and_the_date_it_took_effect(
    api, lo_ro: Officer
) -> None:
    parties = {party["code"]: party for party in rows(api(lo_ro), f"{V1}/parties/")}
    assert len(parties) == Party.objects.count()
    assert parties["RO"]["status"] == PartyStatus.MEMBER
    assert parties["RO"]["status_since"] == "2011-10-07"
    assert parties["AT"]["status"] == PartyStatus.OBSERVER
    assert parties["AT"]["status_since"] == "2018-10-22"
    assert parties["IT"]["status"] == PartyStatus.OPERATIONAL_PARTNER
    assert parties["HR"]["status"] == PartyStatus.FORMER


def test_parties_come_members_first_each_with_its_agencies_nfp_first(api, lo_ro: Officer) -> None:
    # Pages of 5: the order holds across the pages' boundaries.
    parties = rows(api(lo_ro), f"{V1}/parties/", {"limit": 5})
    statuses = [party["status"] for party in parties]
    assert statuses[: len(MEMBERS)] == [PartyStatus.MEMBER] * len(MEMBERS)
    assert statuses.index(PartyStatus.OBSERVER) > statuses.index(PartyStatus.OPERATIONAL_PARTNER)
    bulgaria = next(party for party in parties if party["code"] == "BG")
    assert bulgaria["agencies"][0]["is_national_focal_point"] is True
    assert {agency["id"] for agency in bulgaria["agencies"]} == set(
        Agency.objects.filter(party__code="BG").values_list("pk", flat=True)
    )


def test_a_party_is_read_by_its_code_and_an_unknown_code_is_404(api, obs_at: Officer) -> None:
    client = api(obs_at)
    response = client.get(f"{V1}/parties/BG/")
    assert response.status_code == 200
    assert response.json()["name"] == Party.objects.get(code="BG").name
    assert client.get(f"{V1}/parties/XX/").status_code == 404


def test_agencies_name_their_party_and_mark_the_national_focal_point(api, lo_ro: Officer) -> None:
    agencies = rows(api(lo_ro), f"{V1}/agencies/", {"limit": 7})
    assert len(agencies) == Agency.objects.count()
    assert len({agency["id"] for agency in agencies}) == len(agencies)
    focal_points = [agency for agency in agencies if agency["is_national_focal_point"]]
    assert sorted(agency["party"] for agency in focal_points) == sorted(MEMBERS)
    police = Agency.objects.get(name="Romanian Police")
    assert {
        "id": police.pk,
        "name": "Romanian Police",
        "kind": police.kind,
        "party": "RO",
        "is_national_focal_point": police.is_national_focal_point,
    } in agencies


def test_agencies_are_filtered_by_party_code(api, lo_ro: Officer) -> None:
    agencies = rows(api(lo_ro), f"{V1}/agencies/", {"party": "BG", "limit": 1})
    assert len(agencies) == Agency.objects.filter(party__code="BG").count() > 1
    assert {agency["party"] for agency in agencies} == {"BG"}
    assert rows(api(lo_ro), f"{V1}/agencies/", {"party": "nowhere"}) == []


def test_an_agency_is_read_by_id_and_a_missing_or_impossible_id_is_404(api, lo_ro: Officer) -> None:
    client = api(lo_ro)
    police = Agency.objects.get(name="Romanian Police")
    assert client.get(f"{V1}/agencies/{police.pk}/").json()["party"] == "RO"
    assert client.get(f"{V1}/agencies/{police.pk + 100_000}/").status_code == 404
    # Beyond a bigint: not a database error.
    assert client.get(f"{V1}/agencies/{10**30}/").status_code == 404


def test_crime_areas_list_the_taxonomy_in_its_order(api, nfp_bg: Officer) -> None:
    client = api(nfp_bg)
    areas = rows(client, f"{V1}/crime-areas/", {"limit": 3})
    assert [area["code"] for area in areas] == list(
        CrimeArea.objects.order_by("position", "name").values_list("code", flat=True)
    )
    drugs = client.get(f"{V1}/crime-areas/drugs/")
    assert drugs.status_code == 200
    assert drugs.json() == {"code": "drugs", "name": CrimeArea.objects.get(code="drugs").name}
    assert client.get(f"{V1}/crime-areas/no-such-area/").status_code == 404


def test_task_forces_carry_their_crime_areas_and_sub_task_forces_with_coordinators(
    api, lo_bg: Officer
) -> None:
    client = api(lo_bg)
    task_forces = rows(client, f"{V1}/task-forces/", {"limit": 3})
    assert len(task_forces) == TaskForce.objects.count() == 8
    cyber = SubTaskForce.objects.select_related("task_force").get(name="Cyber Crime")
    detail = client.get(f"{V1}/task-forces/{cyber.task_force.code}/").json()
    assert detail in task_forces
    assert sorted(detail["crime_areas"]) == sorted(
        cyber.task_force.crime_areas.values_list("code", flat=True)
    )
    assert {
        "code": cyber.code,
        "name": "Cyber Crime",
        "coordinator": "RO",
        "crime_area": cyber.crime_area.code if cyber.crime_area else None,
    } in detail["sub_task_forces"]
    assert client.get(f"{V1}/task-forces/no-such-force/").status_code == 404


@pytest.mark.parametrize("persona", ["obs_at", "analyst", "outsider"])
def test_every_officer_reads_the_directory_as_the_pages_show_it(api, persona: str, request) -> None:
    client = api(request.getfixturevalue(persona))
    for resource in ["parties", "agencies", "crime-areas", "task-forces"]:
        assert client.get(f"{V1}/{resource}/").status_code == 200, resource


@pytest.mark.parametrize("resource", ["parties", "agencies", "crime-areas", "task-forces"])
def test_the_directory_refuses_a_caller_without_credentials(api, resource: str) -> None:
    assert api(None).get(f"{V1}/{resource}/").status_code == 401


@pytest.mark.parametrize("resource", ["parties", "agencies", "crime-areas", "task-forces"])
def test_the_directory_is_read_only(api, directory_admin: Officer, resource: str) -> None:
    client = api(directory_admin)
    assert client.post(f"{V1}/{resource}/", {"code": "XX", "name": "New"}).status_code == 405


def _grow_the_directory(n: int) -> None:
    """Add n parties, each with an agency, a sub-task force it coordinates and a member."""
    task_force = TaskForce.objects.get(code="drugs")
    for i in range(n):
        party = party_create(
            actor=None,
            code=f"X{i}",
            name=f"Extra party {i}",
            kind=PartyKind.STATE,
            status=PartyStatus.OBSERVER,
            status_since=dt.date(2020, 1, 1),
        )
        agency = agency_create(
            actor=None, party=party, name=f"Extra police {i}", kind=AgencyKind.POLICE
        )
        SubTaskForce.objects.create(
            task_force=task_force, code=f"extra-{i}", name=f"Extra {i}", coordinator=party
        )
        officer = officer_create(
            actor=None,
            username=f"extra{i}",
            password=None,
            role=Role.LIAISON_OFFICER,
            agency=agency,
        )
        membership_add(actor=None, officer=officer, task_force=task_force)


@pytest.mark.parametrize("resource", ["parties", "agencies", "crime-areas", "task-forces"])
def test_a_directory_list_costs_the_same_queries_whatever_its_size(
    api, lo_ro: Officer, resource: str, django_assert_max_num_queries
) -> None:
    client = api(lo_ro)
    with django_assert_max_num_queries(4) as small:
        assert client.get(f"{V1}/{resource}/").status_code == 200
    _grow_the_directory(5)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(f"{V1}/{resource}/").status_code == 200


# --- Notifications --------------------------------------------------------------------------


def _notify(officer: Officer, title: str, **kwargs: object) -> Notification:
    return Notification.objects.create(
        officer=officer,
        kind=ExchangeNotificationKind.NEW_EXCHANGE,
        title=title,
        link="/exchanges/",
        dedupe_key=f"test:{title}",
        **kwargs,
    )


def test_an_officer_lists_their_own_notifications_newest_first(
    api, lo_bg: Officer, lo_ro: Officer
) -> None:
    now = timezone.now()
    older = _notify(lo_bg, "Older and read", created_at=now - dt.timedelta(hours=2), read_at=now)
    newer = _notify(lo_bg, "Newer and unread", created_at=now - dt.timedelta(hours=1))
    _notify(lo_ro, "Someone else's")
    response = api(lo_bg).get(f"{V1}/notifications/")
    assert response.status_code == 200
    body = response.json()["results"]
    assert [row["title"] for row in body] == ["Newer and unread", "Older and read"]
    assert body[0] == {
        "id": newer.pk,
        "kind": "new_exchange",
        "title": "Newer and unread",
        "link": "/exchanges/",
        "object_type": "",
        "object_id": "",
        "created_at": body[0]["created_at"],
        "read_at": None,
    }
    assert body[1]["id"] == older.pk
    assert body[1]["read_at"] is not None


def test_the_notification_list_is_paged_at_constant_queries(
    api, lo_bg: Officer, django_assert_num_queries
) -> None:
    for i in range(60):
        _notify(lo_bg, f"Notice {i}")
    client = api(lo_bg)
    with django_assert_num_queries(1):
        first = client.get(f"{V1}/notifications/").json()
    assert len(first["results"]) == 50
    with django_assert_num_queries(1):
        rest = client.get(first["next"]).json()
    assert len(rest["results"]) == 10
    assert rest["next"] is None


def test_marking_a_notification_read_answers_it_read(api, lo_bg: Officer) -> None:
    notification = _notify(lo_bg, "Unread")
    response = api(lo_bg).post(f"{V1}/notifications/{notification.pk}/read/")
    assert response.status_code == 200
    assert response.json()["id"] == notification.pk
    assert response.json()["read_at"] is not None
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_another_officers_notification_is_404_and_stays_unread(
    api, lo_bg: Officer, outsider: Officer
) -> None:
    notification = _notify(lo_bg, "Not yours")
    response = api(outsider).post(f"{V1}/notifications/{notification.pk}/read/")
    assert response.status_code == 404
    assert "Not yours" not in response.content.decode()
    notification.refresh_from_db()
    assert notification.read_at is None


@pytest.mark.parametrize("pk", [999_999_999, 10**30])
def test_a_missing_or_impossible_notification_is_404(api, lo_bg: Officer, pk: int) -> None:
    assert api(lo_bg).post(f"{V1}/notifications/{pk}/read/").status_code == 404


def test_notifications_refuse_a_caller_without_credentials_and_a_get_on_read(
    api, lo_bg: Officer
) -> None:
    notification = _notify(lo_bg, "Mine")
    assert api(None).get(f"{V1}/notifications/").status_code == 401
    assert api(None).post(f"{V1}/notifications/{notification.pk}/read/").status_code == 401
    assert api(lo_bg).get(f"{V1}/notifications/{notification.pk}/read/").status_code == 405
