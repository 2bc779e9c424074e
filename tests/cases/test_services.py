"""The cases services for the case itself: references, participants and the observer rule,
permissions kept in step, status, consultation, invitations and their notices, and the audit
events (meetings: ``test_services_meetings``; results: ``test_services_results``)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.utils import timezone

from cases import services, services_meetings
from cases.models import Case, CaseKind, CaseNotificationKind, CaseStatus
from cases.selectors import case_perms, cases_visible_to
from partners.models import Officer, Party
from partners.services.party_status import party_change_status
from selec.core.models import AuditAction, Notification
from tests.cases.scenario import (
    add_meeting,
    audit_events,
    open_case,
    record,
    second_analyst,
    send_in_case,
)
from tests.exchanges.scenario import agency_ids

pytestmark = pytest.mark.django_db


# --- Opening a case and its reference -------------------------------------------------------


def test_references_are_consecutive_per_year_and_kind(lo_ro: Officer) -> None:
    year = timezone.localtime().year
    first = open_case(lo_ro, name="Road Show")
    second = open_case(lo_ro, name="Shadow")
    joint = open_case(lo_ro, kind=CaseKind.JOINT_INVESTIGATION, name="Dora")
    assert first.reference.startswith(f"SELEC-RO-{year}-")
    assert joint.reference.startswith(f"SELEC-JI-{year}-")
    first_number = int(first.reference.rsplit("-", 1)[1])
    assert second.reference == f"SELEC-RO-{year}-{first_number + 1:04d}"


def test_the_officers_party_leads_the_case_it_opens_with_its_first_participants(
    lo_ro: Officer, analyst: Officer
) -> None:
    case = open_case(lo_ro, "Bulgarian Police", analysts=[analyst])
    assert case.lead_party.code == "RO"
    assert set(case.participants.values_list("code", flat=True)) == {"RO", "BG"}
    assert set(case.agencies.values_list("name", flat=True)) == {
        "Romanian Police",
        "Bulgarian Police",
    }
    assert list(case.analysts.all()) == [analyst]
    assert case.created_by == lo_ro
    [event] = audit_events(AuditAction.COLLECTION, case)
    assert event.details["reference"] == case.reference
    assert event.details["lead"] == "RO"


def test_an_analyst_opens_a_case_for_a_lead_agency_and_is_named_on_it(analyst: Officer) -> None:
    case = open_case(analyst, "Turkish Customs", lead_agency="Police of Bosnia and Herzegovina")
    assert case.lead_party.code == "BA"
    assert list(case.analysts.all()) == [analyst]
    with pytest.raises(ValidationError, match="Name the agency that leads"):
        open_case(analyst, "Turkish Customs")


def test_an_observer_a_dpo_and_a_directory_admin_open_no_case(
    obs_at: Officer, dpo: Officer, directory_admin: Officer
) -> None:
    for officer in (obs_at, dpo, directory_admin):
        with pytest.raises(PermissionDenied):
            open_case(officer)


def test_only_analysts_are_named_as_analysts(lo_ro: Officer, lo_bg: Officer) -> None:
    with pytest.raises(ValidationError, match="not a SELEC analyst"):
        open_case(lo_ro, analysts=[lo_bg])


def test_a_period_that_ends_before_it_starts_is_refused(lo_ro: Officer) -> None:
    before = Case.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.case_create(
            officer=lo_ro,
            kind=CaseKind.REGIONAL_OPERATION,
            details=services.CaseDetails(
                name="Backwards", started_on=dt.date(2026, 5, 1), ended_on=dt.date(2026, 4, 1)
            ),
        )
    assert "ended_on" in refused.value.message_dict
    assert Case.objects.count() == before


def test_the_description_is_encrypted_at_rest(lo_ro: Officer) -> None:
    case = open_case(lo_ro)
    with connection.cursor() as cursor:
        cursor.execute("SELECT description FROM cases_case WHERE id = %s", [case.pk])
        (stored,) = cursor.fetchone()
    assert "Danube" not in stored
    assert Case.objects.get(pk=case.pk).description.startswith("Trafficking routes")


# --- Observers and personal data, both ways --------------------------------------------------


def test_an_observer_is_invited_to_a_case_without_personal_data(
    lo_ro: Officer, obs_at: Officer
) -> None:
    case = open_case(lo_ro)
    services.case_invite(officer=lo_ro, case=case, agency_ids=agency_ids("Police of Austria"))
    assert case in cases_visible_to(obs_at)


def test_an_observer_is_refused_by_a_case_marked_with_personal_data_naming_it(
    lo_ro: Officer, obs_at: Officer
) -> None:
    case = open_case(lo_ro, personal=True)
    with pytest.raises(ValidationError, match=r"Police of Austria \(AT\) belongs to an observer"):
        services.case_invite(officer=lo_ro, case=case, agency_ids=agency_ids("Police of Austria"))
    assert not case.agencies.filter(name="Police of Austria").exists()
    assert case not in cases_visible_to(obs_at)
    before = Case.objects.count()
    with pytest.raises(ValidationError, match="Police of Austria"):
        open_case(lo_ro, "Police of Austria", personal=True, name="Refused")
    assert Case.objects.count() == before


def test_an_observer_is_refused_by_a_case_an_exchange_with_personal_data_joined(
    lo_ro: Officer,
) -> None:
    case = open_case(lo_ro, "Bulgarian Police")
    linked = send_in_case(lo_ro, case, personal=True)
    assert linked.case_id == case.pk
    with pytest.raises(ValidationError, match="an exchange linked to it carries personal data"):
        services.case_invite(officer=lo_ro, case=case, agency_ids=agency_ids("Police of Austria"))


def test_a_case_with_an_observer_cannot_be_marked_as_carrying_personal_data(
    lo_ro: Officer,
) -> None:
    case = open_case(lo_ro, "Police of Austria")
    details = services.CaseDetails(name=case.name, started_on=case.started_on, personal_data=True)
    with pytest.raises(
        ValidationError, match=r"Police of Austria \(AT\) takes part as an observer"
    ):
        services.case_update(officer=lo_ro, case=case, details=details)
    assert Case.objects.get(pk=case.pk).personal_data is False


def test_a_former_member_cannot_be_invited(lo_ro: Officer) -> None:
    from partners.services.directory import agency_create

    croatia = Party.objects.get(code="HR")
    police = croatia.agencies.first() or agency_create(
        actor=None, party=croatia, name="Croatian Police", kind="police"
    )
    case = open_case(lo_ro)
    with pytest.raises(ValidationError, match="no longer takes part in SELEC"):
        services.case_invite(officer=lo_ro, case=case, agency_ids=[police.pk])


# --- Permissions follow the facts at once ----------------------------------------------------


def test_a_party_downgraded_to_observer_loses_a_case_with_personal_data_at_once(
    lo_ro: Officer, lo_bg: Officer, nfp_bg: Officer
) -> None:
    personal = open_case(lo_ro, "Bulgarian Police", personal=True, name="Personal")
    strategic = open_case(lo_ro, "Bulgarian Police", name="Strategic")
    party_change_status(
        actor=None,
        party=Party.objects.get(code="BG"),
        status="observer",
        effective_from=dt.date(2026, 6, 1),
    )
    lo_bg = Officer.objects.get(pk=lo_bg.pk)
    visible = set(cases_visible_to(lo_bg))
    assert personal not in visible
    assert strategic in visible
    assert case_perms(lo_bg, strategic) == frozenset({"view_case"})
    assert personal not in set(cases_visible_to(Officer.objects.get(pk=nfp_bg.pk)))


def test_a_party_that_leaves_selec_loses_every_case(lo_ro: Officer, lo_bg: Officer) -> None:
    case = open_case(lo_ro, "Bulgarian Police")
    party_change_status(
        actor=None,
        party=Party.objects.get(code="BG"),
        status="former",
        effective_from=dt.date(2026, 6, 1),
    )
    assert case not in cases_visible_to(Officer.objects.get(pk=lo_bg.pk))


def test_the_named_analyst_sees_the_case_and_another_analyst_does_not(
    lo_ro: Officer, analyst: Officer
) -> None:
    case = open_case(lo_ro, analysts=[analyst])
    other = second_analyst()
    assert case in cases_visible_to(analyst)
    assert case not in cases_visible_to(other)
    services.case_invite(officer=lo_ro, case=case, analyst_ids=[other.pk])
    assert case in cases_visible_to(other)


# --- Status ----------------------------------------------------------------------------------


def test_the_lead_moves_the_case_through_its_statuses(lo_ro: Officer, lo_bg: Officer) -> None:
    case = open_case(lo_ro, "Bulgarian Police", status=CaseStatus.PLANNED)
    for status in ("active", "action_day", "closed", "active"):
        case = services.case_change_status(officer=lo_ro, case=case, status=status)
    assert case.status == CaseStatus.ACTIVE
    assert len(audit_events(AuditAction.ALTERATION, case)) == 4
    with pytest.raises(ValidationError, match="cannot become planned"):
        services.case_change_status(officer=lo_ro, case=case, status="planned")
    with pytest.raises(PermissionDenied, match="only the lead party's agencies"):
        services.case_change_status(officer=lo_bg, case=case, status="closed")


def test_a_closed_case_takes_no_meeting_result_or_exchange(lo_ro: Officer, lo_bg: Officer) -> None:
    case = open_case(lo_ro, "Bulgarian Police")
    services.case_change_status(officer=lo_ro, case=case, status="closed")
    with pytest.raises(ValidationError, match="is closed"):
        add_meeting(lo_bg, case, attachments=())
    with pytest.raises(ValidationError, match="is closed"):
        record(lo_bg, case, "BG", persons_arrested=1)
    with pytest.raises(ValidationError, match="is closed: it takes no new exchanges"):
        send_in_case(lo_ro, case, personal=False)


def test_an_outsider_gets_404_from_every_service(lo_ro: Officer, outsider: Officer) -> None:
    case = open_case(lo_ro)
    attachment = add_meeting(lo_ro, case).attachments.get()
    calls = [
        lambda: services.case_consult(officer=outsider, case=case),
        lambda: services.case_change_status(officer=outsider, case=case, status="closed"),
        lambda: services.case_invite(officer=outsider, case=case, agency_ids=[1]),
        lambda: add_meeting(outsider, case),
        lambda: record(outsider, case, "GR"),
        lambda: services_meetings.meeting_attachment_download(
            officer=outsider, attachment_id=attachment.pk
        ),
    ]
    for call in calls:
        with pytest.raises(Http404):
            call()


# --- Consultation, invitations and their notices ---------------------------------------------


def test_the_consultation_of_a_case_is_audited(lo_ro: Officer, nfp_bg: Officer) -> None:
    case = open_case(lo_ro, "Bulgarian Police")
    services.case_consult(officer=nfp_bg, case=case)
    [event] = audit_events(AuditAction.CONSULTATION, case)
    assert event.actor == nfp_bg


def test_a_party_invited_without_an_agency_is_followed_by_its_national_focal_point(
    lo_ro: Officer, lo_bg: Officer, nfp_bg: Officer
) -> None:
    case = open_case(lo_ro)
    services.case_invite(officer=lo_ro, case=case, party_ids=[Party.objects.get(code="BG").pk])
    assert case in cases_visible_to(nfp_bg)
    assert case not in cases_visible_to(lo_bg)  # its agencies were not invited
    [event] = audit_events(AuditAction.ALTERATION, case)
    assert event.details["parties"] == ["BG"]


def test_an_observer_party_is_refused_by_a_case_with_personal_data(lo_ro: Officer) -> None:
    case = open_case(lo_ro, personal=True)
    with pytest.raises(ValidationError, match=r"Austria \(AT\) belongs to an observer"):
        services.case_invite(officer=lo_ro, case=case, party_ids=[Party.objects.get(code="AT").pk])


def test_invitations_are_audited(lo_ro: Officer, analyst: Officer) -> None:
    case = open_case(lo_ro)
    services.case_invite(
        officer=lo_ro,
        case=case,
        agency_ids=agency_ids("Bulgarian Police"),
        analyst_ids=[analyst.pk],
    )
    [event] = audit_events(AuditAction.ALTERATION, case)
    assert event.reason == "participants invited"
    assert event.details["analysts"] == ["analyst"]
    assert event.details["agencies"] == [f"BG:{agency_ids('Bulgarian Police')[0]}"]


def _told(case: Case) -> set[str]:
    return set(
        Notification.objects.filter(
            kind=CaseNotificationKind.CASE_PARTICIPATION, object_id=str(case.pk)
        ).values_list("officer__username", flat=True)
    )


def test_those_who_join_a_case_are_notified_and_nothing_of_it_but_its_reference(
    lo_ro: Officer, lo_bg: Officer, nfp_bg: Officer, nfp_ro: Officer, outsider: Officer
) -> None:
    case = open_case(lo_ro, "Bulgarian Police", name="Operation Danube Secret")
    # The opener is not told; the lead party's NFP is, as is every joining agency and NFP.
    assert _told(case) == {"lo.bg", "nfp.bg", "nfp.ro"}
    for notice in Notification.objects.filter(kind=CaseNotificationKind.CASE_PARTICIPATION):
        assert notice.title == f"Regional operation {case.reference} led by RO: you take part"
        assert notice.link == f"/cases/{case.reference}/"


def test_an_invitation_tells_only_those_new_to_the_case(
    lo_ro: Officer, lo_tr: Officer, analyst: Officer
) -> None:
    case = open_case(lo_ro, "Bulgarian Police")
    Notification.objects.all().delete()
    services.case_invite(
        officer=lo_ro,
        case=case,
        agency_ids=agency_ids("Turkish Customs", "Bulgarian Police"),
        analyst_ids=[analyst.pk],
    )
    told = _told(case)
    assert {"lo.tr", "analyst"} <= told
    assert not told & {"lo.bg", "nfp.bg", "lo.ro", "nfp.ro"}


def test_an_analyst_who_changes_role_loses_the_case_at_once(
    lo_ro: Officer, analyst: Officer
) -> None:
    from partners.services.officers import officer_update_assignment

    case = open_case(lo_ro, analysts=[analyst])
    officer_update_assignment(
        actor=None, officer=analyst, role="dpo", agency=None, posted_at=analyst.posted_at
    )
    assert case not in cases_visible_to(Officer.objects.get(pk=analyst.pk))
