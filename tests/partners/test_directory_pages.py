"""The directory pages: what they show, to whom, and at a constant number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from partners.models import Agency, AgencyKind, Officer, Party, PartyKind, PartyStatus, Role
from partners.services.directory import agency_create, party_create
from partners.services.officers import officer_create
from taskforces.models import TaskForce
from taskforces.services import membership_add

pytestmark = pytest.mark.django_db

SEED_STATUSES = {
    **dict.fromkeys(
        ["AL", "BA", "BG", "MK", "GR", "HU", "MD", "ME", "RO", "RS", "TR"], PartyStatus.MEMBER
    ),
    **dict.fromkeys(["INTERPOL", "IT", "US"], PartyStatus.OPERATIONAL_PARTNER),
    **dict.fromkeys(
        [
            "AT",
            "BE",
            "BY",
            "CZ",
            "ES",
            "EUBAM",
            "FR",
            "GB",
            "GCC-CIC",
            "GE",
            "DE",
            "IL",
            "IOM",
            "JP",
            "NL",
            "SK",
            "CH",
            "UA",
            "UNMIK",
            "UNODC",
            "WCO",
        ],
        PartyStatus.OBSERVER,
    ),
    **dict.fromkeys(["HR", "SI"], PartyStatus.FORMER),
}


def _row_of(content: str, code: str) -> str:
    marker = f"<code>{code}</code>"
    start = content.index(marker)
    return content[start : content.index("</tr>", start)]


def test_the_parties_page_lists_every_seeded_party_with_its_status(login, lo_ro: Officer) -> None:
    content = login(lo_ro).get("/directory/parties/").content.decode()
    for code, status in SEED_STATUSES.items():
        row = _row_of(content, code)
        assert f'class="badge {status.value}"' in row, code
        assert str(PartyStatus(status).label) in row


def test_the_parties_page_shows_the_date_a_status_took_effect(login, lo_ro: Officer) -> None:
    content = login(lo_ro).get("/directory/parties/").content.decode()
    assert 'datetime="2011-10-07"' in _row_of(content, "RO")
    assert 'datetime="2018-10-22"' in _row_of(content, "AT")


def test_the_agencies_page_marks_the_national_focal_point_of_each_member(
    login, lo_ro: Officer
) -> None:
    content = login(lo_ro).get("/directory/agencies/").content.decode()
    for code in [c for c, s in SEED_STATUSES.items() if s == PartyStatus.MEMBER]:
        nfp = Agency.objects.get(party__code=code, is_national_focal_point=True)
        start = content.index(nfp.name)
        assert "National Focal Point</span>" in content[start : content.index("</tr>", start)]
    assert content.count('class="badge nfp"') == 11


def test_the_agencies_page_filters_by_party(login, lo_ro: Officer) -> None:
    content = login(lo_ro).get("/directory/agencies/?party=BG").content.decode()
    assert "Bulgarian Customs Agency" in content
    assert "Romanian Police" not in content


def test_officers_see_the_officers_of_their_own_party_only(login, lo_ro: Officer) -> None:
    content = login(lo_ro).get("/directory/officers/").content.decode()
    assert "<code>lo.ro</code>" in content
    assert "<code>nfp.ro</code>" in content
    assert "<code>lo.bg</code>" not in content
    assert "<code>obs.at</code>" not in content


def test_an_observer_sees_only_its_own_officers(login, obs_at: Officer) -> None:
    content = login(obs_at).get("/directory/officers/").content.decode()
    assert "<code>obs.at</code>" in content
    assert "<code>lo.ro</code>" not in content


def test_secretariat_staff_see_the_secretariat(login, analyst: Officer) -> None:
    content = login(analyst).get("/directory/officers/").content.decode()
    assert "<code>dpo</code>" in content
    assert "<code>lo.ro</code>" not in content


def test_the_task_forces_page_shows_sub_task_forces_with_their_coordinators(
    login, lo_bg: Officer
) -> None:
    content = login(lo_bg).get("/directory/task-forces/").content.decode()
    assert content.count("<article") == 8
    for name, coordinator in [
        ("Money Laundering", "Moldova"),
        ("Cyber Crime", "Romania"),
        ("Intellectual Property Theft", "Bulgaria"),
        ("Counterfeit Currency", "North Macedonia"),
        ("Plastic Card Fraud", "Romania"),
    ]:
        assert f"{name} — coordinated by {coordinator}" in content
    assert "Andrei Popescu, Romanian Police (RO) — Cyber Crime" in content


def test_the_home_page_shows_party_status_agency_role_and_task_forces(
    login, lo_ro: Officer
) -> None:
    content = login(lo_ro).get("/").content.decode()
    for expected in [
        "Romania (RO)",
        "Member state",
        "Romanian Police",
        "Liaison officer",
        "Anti-Drug Trafficking",
        "Financial and Computer Crimes — Cyber Crime",
        "Sends and receives personal data.",
    ]:
        assert expected in content


def test_the_home_page_of_an_observer_says_strategic_information_only(
    login, obs_at: Officer
) -> None:
    content = login(obs_at).get("/").content.decode()
    assert "Observer" in content
    assert "Receives strategic information only." in content
    assert "Does not receive personal data." in content


def test_the_home_page_tells_admins_when_tasks_run_in_process(
    login, directory_admin: Officer, settings
) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert "background tasks run in-process" in login(directory_admin).get("/").content.decode()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    assert "background tasks run in-process" not in login(directory_admin).get("/").content.decode()


def test_the_home_page_does_not_tell_liaison_officers_about_the_broker(
    login, lo_ro: Officer, settings
) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert "background tasks run in-process" not in login(lo_ro).get("/").content.decode()


def _grow_the_directory(n: int) -> None:
    """Add n parties, each with an agency and an officer who sits in a task force."""
    task_force = TaskForce.objects.get(code="drugs")
    romania = Party.objects.get(code="RO")
    for i in range(n):
        party = party_create(
            actor=None,
            code=f"X{i}",
            name=f"Extra party {i}",
            kind=PartyKind.STATE,
            status=PartyStatus.OBSERVER,
            status_since=dt.date(2020, 1, 1),
        )
        agency_create(actor=None, party=party, name=f"Extra police {i}", kind=AgencyKind.POLICE)
        ro_agency = agency_create(
            actor=None, party=romania, name=f"Romanian unit {i}", kind=AgencyKind.POLICE
        )
        officer = officer_create(
            actor=None,
            username=f"extra{i}",
            password=None,
            role=Role.LIAISON_OFFICER,
            agency=ro_agency,
        )
        membership_add(actor=None, officer=officer, task_force=task_force)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/directory/parties/",
        "/directory/agencies/",
        "/directory/officers/",
        "/directory/task-forces/",
    ],
)
def test_a_directory_page_costs_the_same_queries_whatever_its_size(
    login, lo_ro: Officer, path: str, django_assert_num_queries
) -> None:
    client: Client = login(lo_ro)
    client.get(path)  # warm up: the first request loads the session and content types
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(path).status_code == 200
    _grow_the_directory(15)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(path).status_code == 200
