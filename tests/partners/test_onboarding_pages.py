"""The onboarding pages: a party, its agencies, its officers, registered by a directory
administrator; refused (404) to everyone else; a wrong input is a form error, never a 500."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from partners.models import (
    Agency,
    AgencyKind,
    ContentAccess,
    Invitation,
    Officer,
    Party,
    PartyKind,
    PartyStatus,
    Role,
)
from partners.services.directory import agency_create, party_create
from partners.services.invitations import officer_invite_new
from selec.core.models import AuditEvent

pytestmark = pytest.mark.django_db

PARTY = {
    "kind": "state",
    "code": "lt",
    "name": "Lithuania",
    "status": "observer",
    "status_since": "2026-03-01",
    "legal_basis": "Council decision 4/2026",
}


def _officer_post(agency: Agency, **changes: object) -> dict[str, object]:
    return {
        "first_name": "Ana",
        "last_name": "Costa",
        "email": "ana.costa@example.org",
        "username": "lo.lt",
        "agency": agency.pk,
        "role": Role.LIAISON_OFFICER.value,
        "posted_at": "hq",
        **changes,
    }


def _lithuania(admin: Officer) -> tuple[Party, Agency]:
    party = party_create(
        actor=admin,
        code="LT",
        name="Lithuania",
        kind=PartyKind.STATE,
        status=PartyStatus.OBSERVER,
        status_since=dt.date(2026, 3, 1),
        legal_basis="Council decision 4/2026",
    )
    nfp = agency_create(
        actor=admin,
        party=party,
        name="Lithuanian Police NFP",
        kind=AgencyKind.POLICE,
        is_national_focal_point=True,
    )
    return party, nfp


def _last_event_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _events(after: int, *names: str) -> list[str]:
    return list(
        AuditEvent.objects.filter(id__gt=after, event__in=names)
        .order_by("id")
        .values_list("event", flat=True)
    )


def test_an_admin_registers_a_party_its_agency_and_an_officer(
    login, directory_admin: Officer
) -> None:
    start = _last_event_id()
    client = login(directory_admin)
    response = client.post("/directory/manage/parties/new/", PARTY)
    assert response.status_code == 302
    assert response["Location"] == "/directory/manage/parties/LT/agencies/new/"
    party = Party.objects.get(code="LT")
    assert (party.status, party.status_since, party.legal_basis) == (
        PartyStatus.OBSERVER,
        dt.date(2026, 3, 1),
        "Council decision 4/2026",
    )
    assert party.status_history.get().effective_from == dt.date(2026, 3, 1)

    response = client.post(
        "/directory/manage/parties/LT/agencies/new/",
        {"name": "Polícia de Segurança Pública", "kind": "police", "is_national_focal_point": "on"},
    )
    assert response.status_code == 302
    agency = Agency.objects.get(party=party)
    assert agency.is_national_focal_point

    response = client.post(
        "/directory/manage/parties/LT/officers/new/",
        _officer_post(agency, role=Role.NFP_OFFICER.value, posted_at="home"),
    )
    assert response.status_code == 302
    officer = Officer.objects.get(username="lo.lt")
    assert officer.agency == agency
    assert officer.role == Role.NFP_OFFICER
    assert not officer.has_usable_password()
    assert officer.content_access == ContentAccess.PENDING
    assert officer.access_confirmations.filter(status="pending").exists()
    assert Invitation.objects.filter(officer=officer, used_at__isnull=True).count() == 1
    names = ("party.created", "agency.created", "officer.created", "officer.invited")
    assert _events(start, *names) == [
        "party.created",
        "agency.created",
        "officer.created",
        "officer.invited",
    ]

    page = client.get("/directory/manage/parties/LT/").content.decode()
    assert "Invitation sent to" not in page  # the flash was consumed by the redirect's page
    assert 'data-stage="invited"' in page
    assert "Wait for the invited officers" in page


def test_the_officers_page_says_only_that_the_invitation_was_sent(
    login, directory_admin: Officer
) -> None:
    _, agency = _lithuania(directory_admin)
    client = login(directory_admin)
    response = client.post(
        "/directory/manage/parties/LT/officers/new/", _officer_post(agency), follow=True
    )
    page = response.content.decode()
    assert "invitation sent to ana.costa@example.org" in page
    assert "/account/invitation/" not in page


def test_a_second_nfp_is_a_clear_form_error(login, directory_admin: Officer) -> None:
    _lithuania(directory_admin)
    response = login(directory_admin).post(
        "/directory/manage/parties/LT/agencies/new/",
        {"name": "GNR", "kind": "police", "is_national_focal_point": "on"},
    )
    assert response.status_code == 400
    assert (
        "LT already has a National Focal Point (Lithuanian Police NFP)" in response.content.decode()
    )
    assert Agency.objects.filter(party__code="LT").count() == 1


def test_a_taken_agency_name_is_a_form_error(login, directory_admin: Officer) -> None:
    _lithuania(directory_admin)
    response = login(directory_admin).post(
        "/directory/manage/parties/LT/agencies/new/",
        {"name": "Lithuanian Police NFP", "kind": "customs"},
    )
    assert response.status_code == 400
    assert "already exists" in response.content.decode()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"code": "PRT"}, "two-letter ISO 3166 code"),
        ({"code": "RO"}, "Party with this Code already exists"),
        ({"status_since": "someday"}, "Enter a valid date"),
        ({"legal_basis": ""}, "This field is required"),
    ],
)
def test_bad_party_inputs_are_form_errors(
    login, directory_admin: Officer, changes: dict[str, str], message: str
) -> None:
    response = login(directory_admin).post("/directory/manage/parties/new/", {**PARTY, **changes})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Party.objects.filter(name="Lithuania").exists()


def test_an_agency_of_another_party_is_a_form_error_not_a_500(
    login, directory_admin: Officer
) -> None:
    _lithuania(directory_admin)
    romanian = Agency.objects.get(name="Romanian Police")
    response = login(directory_admin).post(
        "/directory/manage/parties/LT/officers/new/", _officer_post(romanian)
    )
    assert response.status_code == 400
    assert "Choose one of the party&#x27;s open agencies." in response.content.decode()
    for bad in ("not-a-number", "999999"):
        response = login(directory_admin).post(
            "/directory/manage/parties/LT/officers/new/", {**_officer_post(romanian), "agency": bad}
        )
        assert response.status_code == 400
    assert not Officer.objects.filter(username="lo.lt").exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"role": Role.NFP_OFFICER.value, "posted_at": "hq"}, "An NFP officer works in their home"),
        ({"username": "lo.ro"}, "A user with that username already exists"),
        ({"email": "not-an-address"}, "Enter a valid email address"),
        ({"role": Role.DIRECTORY_ADMIN.value}, "Select a valid choice"),
    ],
)
def test_bad_officer_inputs_are_form_errors(
    login, directory_admin: Officer, changes: dict[str, str], message: str
) -> None:
    _, agency = _lithuania(directory_admin)
    response = login(directory_admin).post(
        "/directory/manage/parties/LT/officers/new/", _officer_post(agency, **changes)
    )
    assert response.status_code == 400
    assert message in response.content.decode().replace("&quot;", '"')
    assert not Invitation.objects.filter(officer__agency=agency).exists()


def test_an_nfp_officer_outside_the_nfp_is_a_form_error(login, directory_admin: Officer) -> None:
    party, _ = _lithuania(directory_admin)
    customs = agency_create(actor=directory_admin, party=party, name="AT", kind=AgencyKind.CUSTOMS)
    response = login(directory_admin).post(
        "/directory/manage/parties/LT/officers/new/",
        _officer_post(customs, role=Role.NFP_OFFICER.value, posted_at="home"),
    )
    assert response.status_code == 400
    assert "An NFP officer belongs to the National Focal Point" in response.content.decode()


ONBOARDING_PAGES = [
    ("get", "/directory/manage/"),
    ("get", "/directory/manage/parties/new/"),
    ("post", "/directory/manage/parties/new/"),
    ("get", "/directory/manage/parties/RO/"),
    ("get", "/directory/manage/parties/RO/agencies/new/"),
    ("post", "/directory/manage/parties/RO/agencies/new/"),
    ("get", "/directory/manage/parties/RO/officers/new/"),
    ("post", "/directory/manage/parties/RO/officers/new/"),
]


@pytest.mark.parametrize("persona", ["lo_ro", "nfp_bg", "obs_at", "analyst", "dpo", "outsider"])
def test_every_onboarding_page_is_404_to_everyone_but_the_admin(
    request: pytest.FixtureRequest, login, directory_admin: Officer, persona: str
) -> None:
    officer: Officer = request.getfixturevalue(persona)
    _, agency = _lithuania(directory_admin)
    invited = officer_invite_new(
        actor=directory_admin,
        party=agency.party,
        agency=agency,
        username="lo.lt",
        first_name="Ana",
        last_name="Costa",
        email="ana@example.org",
        role=Role.LIAISON_OFFICER,
        posted_at="hq",
    )
    start = _last_event_id()
    client = login(officer)
    pages = [*ONBOARDING_PAGES, ("post", f"/directory/manage/officers/{invited.pk}/invite/")]
    for method, path in pages:
        response = getattr(client, method)(path, PARTY if method == "post" else None)
        assert response.status_code == 404, f"{persona} {method} {path}"
    assert Invitation.objects.filter(officer=invited).count() == 1
    assert _events(start, "party.created", "agency.created", "officer.invited") == []


def test_an_unknown_party_is_404_to_the_admin(login, directory_admin: Officer) -> None:
    assert login(directory_admin).get("/directory/manage/parties/XX/").status_code == 404


def test_the_party_page_costs_the_same_with_more_officers(
    login, directory_admin: Officer, django_assert_num_queries
) -> None:
    party, agency = _lithuania(directory_admin)
    client: Client = login(directory_admin)

    def invite(n: int) -> None:
        officer_invite_new(
            actor=directory_admin,
            party=party,
            agency=agency,
            username=f"nfp.lt{n}",
            first_name="Ana",
            last_name=f"Costa {n}",
            email=f"nfp{n}@example.org",
            role=Role.NFP_OFFICER,
            posted_at="home",
        )

    invite(1)
    client.get("/directory/manage/parties/LT/")  # warm the session's caches
    with django_assert_num_queries(QUERIES_OF_THE_PARTY_PAGE):
        assert client.get("/directory/manage/parties/LT/").status_code == 200
    for n in range(2, 7):
        invite(n)
    agency_create(actor=directory_admin, party=party, name="SEF", kind=AgencyKind.BORDER)
    with django_assert_num_queries(QUERIES_OF_THE_PARTY_PAGE):
        page = client.get("/directory/manage/parties/LT/").content.decode()
    assert page.count('data-stage="invited"') == 6


# Session, officer (with agency, party and groups), the menu's counts, the party, its agencies,
# its officers, their open invitations.
QUERIES_OF_THE_PARTY_PAGE = 8


def test_every_onboarding_page_opens_for_the_admin(login, directory_admin: Officer) -> None:
    _lithuania(directory_admin)
    client = login(directory_admin)
    for path in (
        "/directory/manage/",
        "/directory/manage/parties/new/",
        "/directory/manage/parties/LT/",
        "/directory/manage/parties/LT/agencies/new/",
        "/directory/manage/parties/LT/officers/new/",
    ):
        assert client.get(path).status_code == 200, path
    page = client.get("/directory/manage/parties/LT/officers/new/").content.decode()
    assert "valid 72 hours" in page
    assert "Lithuanian Police NFP" in page
    assert "Romanian Police" not in page  # only the party's agencies are offered
