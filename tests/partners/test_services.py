"""Directory writes keep the permission groups in step and refuse inconsistent assignments."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from partners.auth import OfficerBackend
from partners.models import (
    AccessConfirmation,
    Agency,
    AgencyKind,
    Officer,
    Party,
    PartyStatus,
    PartyStatusChange,
    Posting,
    Role,
)
from partners.selectors import officer_group_ids
from partners.services.access_confirmations import officer_access_decide
from partners.services.directory import agency_create
from partners.services.groups import DIRECTORY_ADMINS_GROUP
from partners.services.officers import officer_create, officer_update_assignment
from partners.services.party_status import party_change_status
from selec.core.models import AuditEvent
from tests.helpers import agency_of

pytestmark = pytest.mark.django_db


def test_every_agency_has_a_group_of_its_own(lo_ro: Officer) -> None:
    groups = {a.group_id for a in Agency.objects.all()}
    assert len(groups) == Agency.objects.count()
    assert lo_ro.groups.filter(pk=agency_of(lo_ro).group_id).exists()


def test_nfp_officers_are_in_their_agency_group_and_the_nfp_group(nfp_bg: Officer) -> None:
    agency = agency_of(nfp_bg)
    bulgaria = agency.party
    assert agency.group is not None
    assert bulgaria.nfp_group is not None
    assert set(nfp_bg.groups.values_list("name", flat=True)) == {
        agency.group.name,
        bulgaria.nfp_group.name,
    }


def test_a_liaison_officer_is_not_in_the_nfp_group(lo_bg: Officer) -> None:
    assert not lo_bg.groups.filter(nfp_party__isnull=False).exists()


def test_secretariat_staff_belong_to_no_agency_group(analyst: Officer, dpo: Officer) -> None:
    assert not analyst.groups.exists()
    assert not dpo.groups.exists()


def test_the_directory_admin_gets_the_directory_permissions_and_nothing_else(
    directory_admin: Officer,
) -> None:
    assert directory_admin.is_staff
    assert not directory_admin.is_superuser
    assert list(directory_admin.groups.values_list("name", flat=True)) == [DIRECTORY_ADMINS_GROUP]
    assert directory_admin.has_perm("partners.change_party")
    assert directory_admin.has_perm("taskforces.add_taskforce")
    assert not directory_admin.has_perm("partners.delete_party")
    assert not directory_admin.has_perm("selec.view_auditevent")


def test_moving_an_officer_moves_their_groups_once_the_nfp_confirms(
    lo_ro: Officer, nfp_ro: Officer
) -> None:
    customs = Agency.objects.get(name="Romanian Customs Authority")
    officer_update_assignment(
        actor=None, officer=lo_ro, role=Role.LIAISON_OFFICER, agency=customs, posted_at=Posting.HQ
    )
    assert not lo_ro.groups.exists()  # the old agency's access ends at once, the new one waits
    confirmation = AccessConfirmation.objects.get(officer=lo_ro, status="pending")
    officer_access_decide(actor=nfp_ro, confirmation_id=confirmation.pk, confirm=True)
    assert list(lo_ro.groups.all()) == [customs.group]


def test_deactivating_an_officer_removes_their_groups(lo_ro: Officer) -> None:
    officer_update_assignment(
        actor=None,
        officer=lo_ro,
        role=Role.LIAISON_OFFICER,
        agency=lo_ro.agency,
        posted_at=Posting.HQ,
        is_active=False,
    )
    assert not lo_ro.groups.exists()


def test_an_nfp_officer_must_belong_to_the_national_focal_point() -> None:
    police = Agency.objects.get(name="Bulgarian Police")
    with pytest.raises(ValidationError, match="National Focal Point"):
        officer_create(
            actor=None,
            username="nfp.wrong",
            password=None,
            role=Role.NFP_OFFICER,
            agency=police,
            posted_at=Posting.HOME,
        )
    assert not Officer.objects.filter(username="nfp.wrong").exists()


def test_a_liaison_officer_needs_an_agency() -> None:
    with pytest.raises(ValidationError):
        officer_create(actor=None, username="lo.none", password=None, role=Role.LIAISON_OFFICER)


def test_secretariat_staff_have_no_agency() -> None:
    with pytest.raises(ValidationError, match="Secretariat"):
        officer_create(
            actor=None,
            username="analyst2",
            password=None,
            role=Role.ANALYST,
            agency=Agency.objects.get(name="Romanian Police"),
        )


def test_a_party_has_one_national_focal_point_at_most() -> None:
    romania = Party.objects.get(code="RO")
    with pytest.raises(ValidationError):
        agency_create(
            actor=None,
            party=romania,
            name="Second NFP",
            kind=AgencyKind.POLICE,
            is_national_focal_point=True,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Agency.objects.filter(name="Romanian Police").update(is_national_focal_point=True)


def test_a_status_change_is_kept_in_the_history_and_audited(directory_admin: Officer) -> None:
    ukraine = Party.objects.get(code="UA")
    party_change_status(
        actor=directory_admin,
        party=ukraine,
        status=PartyStatus.OPERATIONAL_PARTNER,
        effective_from=dt.date(2026, 6, 1),
        note="Agreement in force",
    )
    ukraine.refresh_from_db()
    assert (ukraine.status, ukraine.status_since) == (
        PartyStatus.OPERATIONAL_PARTNER,
        dt.date(2026, 6, 1),
    )
    history = list(
        PartyStatusChange.objects.filter(party=ukraine).values_list("status", "effective_from")
    )
    assert history == [
        ("operational_partner", dt.date(2026, 6, 1)),
        ("observer", dt.date(2018, 10, 22)),
        ("observer", dt.date(2001, 1, 1)),
    ]
    event = AuditEvent.objects.latest("id")
    assert event.reason == "party status changed"
    assert event.details["note"] == "Agreement in force"


def test_a_failed_write_leaves_nothing_behind() -> None:
    before = (Agency.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError):
        agency_create(
            actor=None, party=Party.objects.get(code="RO"), name="", kind=AgencyKind.POLICE
        )
    assert (Agency.objects.count(), AuditEvent.objects.count()) == before


def test_a_party_may_return_to_an_earlier_status_on_the_same_day(directory_admin: Officer) -> None:
    georgia = Party.objects.get(code="GE")
    day = dt.date(2026, 11, 1)
    for status in (PartyStatus.MEMBER, PartyStatus.OBSERVER, PartyStatus.MEMBER):
        party_change_status(actor=directory_admin, party=georgia, status=status, effective_from=day)
    georgia.refresh_from_db()
    assert georgia.status == PartyStatus.MEMBER
    assert PartyStatusChange.objects.filter(party=georgia, effective_from=day).count() == 3


def test_a_status_change_to_the_current_status_is_refused(directory_admin: Officer) -> None:
    with pytest.raises(ValidationError, match="already has the status"):
        party_change_status(
            actor=directory_admin,
            party=Party.objects.get(code="RO"),
            status=PartyStatus.MEMBER,
            effective_from=dt.date(2026, 11, 1),
        )


def test_the_signed_in_officer_comes_with_agency_party_and_group_ids(
    lo_ro: Officer, django_assert_num_queries
) -> None:
    with django_assert_num_queries(1):
        officer = OfficerBackend().get_user(lo_ro.pk)
        assert officer is not None
        assert officer.agency is not None
        assert officer.agency.party.code == "RO"
        group_ids = officer_group_ids(officer)
    assert sorted(group_ids) == sorted(lo_ro.groups.values_list("pk", flat=True))
    assert group_ids


def test_secretariat_staff_are_loaded_with_no_group(
    analyst: Officer, django_assert_num_queries
) -> None:
    with django_assert_num_queries(1):
        officer = OfficerBackend().get_user(analyst.pk)
        assert officer is not None
        assert officer_group_ids(officer) == []


def test_a_change_of_groups_forgets_the_group_ids_kept_on_the_officer(lo_ro: Officer) -> None:
    officer = OfficerBackend().get_user(lo_ro.pk)
    assert officer is not None
    assert officer_group_ids(officer)  # kept on the instance, as for a request
    officer_update_assignment(
        actor=None,
        officer=officer,
        role=officer.role,
        agency=officer.agency,
        posted_at=officer.posted_at,
        is_active=False,
    )
    assert officer_group_ids(officer) == []
