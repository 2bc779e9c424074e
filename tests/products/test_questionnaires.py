"""A threat assessment's questionnaire to the member states: drafted and sent by the author,
answered per party by the National Focal Points until the end of the deadline day, read by
the analysts party by party and taken into the draft as sections; every step audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.template.loader import render_to_string
from django_otp.plugins.otp_totp.models import TOTPDevice

from partners.models import (
    AccessConfirmation,
    Agency,
    AgencyKind,
    Officer,
    Party,
    PartyStatus,
    Posting,
    Role,
)
from partners.services.access_confirmations import (
    officer_access_confirm_by_operator,
    officer_access_decide,
)
from partners.services.directory import agency_create
from partners.services.officers import officer_create
from products import policy_questionnaires as policy
from products.models import Product, ProductKind, ProductStatus
from products.models_questionnaires import (
    Questionnaire,
    QuestionnaireAuditEvent,
    QuestionnaireNotificationKind,
    QuestionnaireStatus,
)
from products.selectors_questionnaires import (
    contributing_parties,
    installation_today,
    open_questionnaires_for,
    questionnaire_get_for_officer,
    questionnaire_page,
    questionnaires_block,
)
from products.services import product_submit
from products.services_questionnaires import (
    QuestionnaireInput,
    questionnaire_answer,
    questionnaire_answers_into_draft,
    questionnaire_close,
    questionnaire_draft,
    questionnaire_edit,
    questionnaire_send,
)
from selec.core.models import AuditEvent, Notification
from taskforces.models import CrimeArea
from tests.cases.scenario import second_analyst
from tests.products.scenario import draft

ROUTES = "Which routes do the cocaine shipments take into your country?"
SEIZURES = "How much heroin did your services seize in 2025?"


# --- Builders ------------------------------------------------------------------------------------


def threat_assessment(analyst: Officer) -> Product:
    return draft(analyst, "Bulgarian Police", kind=ProductKind.THREAT_ASSESSMENT)


def drugs() -> int:
    return CrimeArea.objects.get(code="drugs").pk


def in_days(days: int) -> dt.date:
    return installation_today() + dt.timedelta(days=days)


def drafted(
    analyst: Officer,
    product: Product | None = None,
    questions: Sequence[str] = (ROUTES, SEIZURES),
) -> Questionnaire:
    return questionnaire_draft(
        officer=analyst,
        product=product or threat_assessment(analyst),
        details=QuestionnaireInput(
            deadline=in_days(14),
            intro="For the threat assessment on drugs.",
            questions=[(drugs(), q) for q in questions],
        ),
    )


def sent(analyst: Officer, product: Product | None = None, **kwargs: object) -> Questionnaire:
    questionnaire = drafted(analyst, product, **kwargs)  # type: ignore[arg-type]
    return questionnaire_send(officer=analyst, questionnaire=questionnaire)


def nfp_of(code: str) -> Officer:
    """An officer of the party's National Focal Point (registered for an observer or a
    partner, which the reference data gives none)."""
    party = Party.objects.get(code=code)
    agency = Agency.objects.filter(party=party, is_national_focal_point=True).first()
    if agency is None:
        agency = agency_create(
            actor=None,
            party=party,
            name=f"National Focal Point of {party.name}",
            kind=AgencyKind.POLICE,
            is_national_focal_point=True,
        )
    officer = officer_create(
        actor=None,
        username=f"nfp.{code.lower()}.q",
        password=None,
        role=Role.NFP_OFFICER,
        agency=agency,
        posted_at=Posting.HOME,
        email=f"nfp.{code.lower()}.q@demo.selec.invalid",
    )
    confirmer = (
        Officer.objects.filter(role=Role.NFP_OFFICER, agency=agency, content_access="confirmed")
        .exclude(pk=officer.pk)
        .first()
    )
    if confirmer is None:  # the first officer of a new NFP: nobody else could decide
        officer_access_confirm_by_operator(officer=officer, note="test")
    else:
        pending = AccessConfirmation.objects.get(officer=officer, status="pending")
        officer_access_decide(actor=confirmer, confirmation_id=pending.pk, confirm=True)
    TOTPDevice.objects.create(user=officer, name="default", confirmed=True)
    return Officer.objects.select_related("agency__party").get(pk=officer.pk)


def answers_of(questionnaire: Questionnaire, texts: Sequence[str]) -> dict[int, str]:
    questions = list(questionnaire.questions.order_by("position"))
    return {q.pk: text for q, text in zip(questions, texts, strict=False)}


def events_of(questionnaire: Questionnaire) -> list[str]:
    return list(
        AuditEvent.objects.filter(
            object_type="products.questionnaire", object_id=str(questionnaire.pk)
        )
        .order_by("pk")
        .values_list("event", flat=True)
    )


def deadline_passed(questionnaire: Questionnaire) -> None:
    """The day after the deadline: the deadline moved to yesterday, as time would."""
    Questionnaire.objects.filter(pk=questionnaire.pk).update(deadline=in_days(-1))
    questionnaire.refresh_from_db()


# --- The round -----------------------------------------------------------------------------------


def test_the_member_states_answer_and_the_answers_feed_the_draft(analyst, nfp_bg, nfp_ro):
    nfp_at, nfp_it = nfp_of("AT"), nfp_of("IT")  # an observer's and a partner's
    product = threat_assessment(analyst)
    questionnaire = drafted(analyst, product)
    assert not Notification.objects.filter(kind=QuestionnaireNotificationKind.QUESTIONNAIRE_SENT)

    questionnaire_send(officer=analyst, questionnaire=questionnaire)

    recipients = set(questionnaire.parties.values_list("code", flat=True))
    assert {"BG", "RO"} <= recipients
    assert recipients.isdisjoint({"AT", "IT"})
    assert set(questionnaire.parties.values_list("status", flat=True)) == {PartyStatus.MEMBER}
    told = set(
        Notification.objects.filter(
            kind=QuestionnaireNotificationKind.QUESTIONNAIRE_SENT
        ).values_list("officer__username", flat=True)
    )
    assert {"nfp.bg", "nfp.ro"} <= told
    assert told.isdisjoint({nfp_at.username, nfp_it.username, "lo.bg", "obs.at"})
    title = Notification.objects.get(officer=nfp_bg).title
    assert product.reference in title
    assert "answers due by" in title

    questionnaire_answer(
        officer=nfp_bg,
        questionnaire=questionnaire,
        answers=answers_of(questionnaire, ["Through the port of Varna.", "312 kg."]),
    )
    questionnaire_answer(
        officer=nfp_ro,
        questionnaire=questionnaire,
        answers=answers_of(questionnaire, ["By road from Bulgaria.", ""]),
    )

    page = questionnaire_page(analyst, questionnaire, policy.Reader.ANALYST)
    routes, seizures = page.questions
    assert [(a.party.code, a.text) for a in routes.answers] == [
        ("BG", "Through the port of Varna."),
        ("RO", "By road from Bulgaria."),
    ]
    assert [(a.party.code, a.text) for a in seizures.answers] == [("BG", "312 kg.")]
    assert "RO" in {p.code for p in seizures.missing}
    assert page.answered_parties == 2
    assert {(r.party.code, r.answered) for r in page.parties} >= {("BG", 2), ("RO", 1)}
    # An NFP reads their own party's answers only.
    own = questionnaire_page(nfp_ro, questionnaire, policy.Reader.NFP)
    assert [[a.party.code for a in row.answers] for row in own.questions] == [["RO"], []]

    sections = questionnaire_answers_into_draft(officer=analyst, questionnaire=questionnaire)
    assert [s.heading for s in sections] == [
        f"Drug trafficking: {ROUTES}",
        f"Drug trafficking: {SEIZURES}",
    ]
    assert sections[0].body.startswith(
        "BG — Through the port of Varna.\n\nRO — By road from Bulgaria."
    )
    assert "RO" in sections[1].body.split("No answer from:")[1]
    assert [s.heading for s in product.sections.all()][-2:] == [s.heading for s in sections]

    deadline_passed(questionnaire)
    with pytest.raises(PermissionDenied, match=r"deadline of this questionnaire.*has passed"):
        questionnaire_answer(
            officer=nfp_bg,
            questionnaire=questionnaire,
            answers=answers_of(questionnaire, ["Changed after the deadline."]),
        )
    assert open_questionnaires_for(nfp_bg) == []
    assert questionnaire.questions.get(position=1).answers.get(party__code="BG").text == (
        "Through the port of Varna."
    )

    assert events_of(questionnaire) == [
        QuestionnaireAuditEvent.DRAFTED,
        QuestionnaireAuditEvent.SENT,
        QuestionnaireAuditEvent.ANSWERED,
        QuestionnaireAuditEvent.ANSWERED,
        QuestionnaireAuditEvent.ANSWERS_USED,
    ]
    sent_event = AuditEvent.objects.get(
        event=QuestionnaireAuditEvent.SENT, object_id=str(questionnaire.pk)
    )
    assert sent_event.action == "disclosure"
    assert "AT" not in sent_event.details["parties"]
    answered = AuditEvent.objects.filter(
        event=QuestionnaireAuditEvent.ANSWERED, object_id=str(questionnaire.pk)
    ).order_by("pk")
    assert [(e.actor_id, e.details["party"]) for e in answered] == [
        (nfp_bg.pk, "BG"),
        (nfp_ro.pk, "RO"),
    ]
    # The sections were saved as any section edit: audited on the product.
    assert AuditEvent.objects.filter(
        object_type="products.product",
        object_id=str(product.pk),
        event="product.edited",
        reason="section saved",
    ).count() == 1 + len(sections)


def test_the_recipients_are_the_member_states_of_the_day_of_sending(analyst):
    questionnaire = sent(analyst)
    expected = set(contributing_parties().values_list("code", flat=True))
    assert set(questionnaire.parties.values_list("code", flat=True)) == expected
    assert all(
        policy.contributes(status) == (status == PartyStatus.MEMBER) for status in PartyStatus
    )


# --- Who may do what -----------------------------------------------------------------------------


def test_only_the_author_of_a_draft_threat_assessment_sends_questionnaires(analyst):
    reviewer = second_analyst()
    with pytest.raises(PermissionDenied, match="Only the author"):
        drafted(reviewer, threat_assessment(analyst))
    report = draft(analyst, "Bulgarian Police", kind=ProductKind.STRATEGIC_REPORT)
    with pytest.raises(PermissionDenied, match="Only a threat assessment"):
        drafted(analyst, report)
    questionnaire = drafted(analyst)
    with pytest.raises(PermissionDenied, match="Only the author"):
        questionnaire_send(officer=reviewer, questionnaire=questionnaire)
    product_submit(officer=analyst, product=questionnaire.product)
    with pytest.raises(PermissionDenied, match="while the threat assessment is a draft"):
        questionnaire_send(officer=analyst, questionnaire=questionnaire)
    questionnaire.refresh_from_db()
    assert questionnaire.status == QuestionnaireStatus.DRAFT
    assert not questionnaire.parties.exists()


def test_a_liaison_officer_or_an_nfp_writes_no_questionnaire(analyst, lo_bg, nfp_bg):
    product = threat_assessment(analyst)
    for officer in (lo_bg, nfp_bg):
        with pytest.raises(PermissionDenied, match="Only analysts"):
            drafted(officer, product)


def test_questions_are_about_the_product_s_crime_areas_and_the_deadline_is_to_come(analyst):
    product = threat_assessment(analyst)
    thb = CrimeArea.objects.get(code="thb").pk
    with pytest.raises(ValidationError) as refused:
        questionnaire_draft(
            officer=analyst,
            product=product,
            details=QuestionnaireInput(deadline=installation_today(), questions=[(thb, "?")]),
        )
    assert "own crime areas" in str(refused.value.message_dict["questions"])
    assert "after today" in str(refused.value.message_dict["deadline"])
    with pytest.raises(ValidationError, match="at least one question"):
        questionnaire_draft(
            officer=analyst, product=product, details=QuestionnaireInput(deadline=in_days(7))
        )
    assert not product.questionnaires.exists()


def test_a_draft_is_edited_then_its_questions_are_fixed_at_sending(analyst):
    questionnaire = drafted(analyst)
    questionnaire_edit(
        officer=analyst,
        questionnaire=questionnaire,
        details=QuestionnaireInput(deadline=in_days(30), questions=[(drugs(), ROUTES)]),
    )
    assert [q.text for q in questionnaire.questions.all()] == [ROUTES]
    questionnaire_send(officer=analyst, questionnaire=questionnaire)
    with pytest.raises(PermissionDenied, match="no longer change"):
        questionnaire_edit(
            officer=analyst,
            questionnaire=questionnaire,
            details=QuestionnaireInput(deadline=in_days(30), questions=[(drugs(), SEIZURES)]),
        )
    with pytest.raises(PermissionDenied, match="no longer change"):
        questionnaire_send(officer=analyst, questionnaire=questionnaire)
    assert events_of(questionnaire) == [
        QuestionnaireAuditEvent.DRAFTED,
        QuestionnaireAuditEvent.EDITED,
        QuestionnaireAuditEvent.SENT,
    ]


def test_a_deadline_reached_before_sending_is_refused_at_sending(analyst):
    questionnaire = drafted(analyst)
    deadline_passed(questionnaire)
    with pytest.raises(PermissionDenied, match="after today"):
        questionnaire_send(officer=analyst, questionnaire=questionnaire)


def test_answering_again_with_the_same_text_changes_and_records_nothing(analyst, nfp_bg):
    questionnaire = sent(analyst)
    answers = answers_of(questionnaire, ["Through Varna.", "312 kg."])
    assert questionnaire_answer(officer=nfp_bg, questionnaire=questionnaire, answers=answers) == 2
    assert questionnaire_answer(officer=nfp_bg, questionnaire=questionnaire, answers=answers) == 0
    # Emptied: the answer is withdrawn.
    emptied = answers_of(questionnaire, ["Through Varna.", ""])
    assert questionnaire_answer(officer=nfp_bg, questionnaire=questionnaire, answers=emptied) == 1
    assert list(
        questionnaire.questions.filter(answers__isnull=False).values_list("position", flat=True)
    ) == [1]
    answered = AuditEvent.objects.filter(
        event=QuestionnaireAuditEvent.ANSWERED, object_id=str(questionnaire.pk)
    ).order_by("pk")
    assert [(e.details["added"], e.details["removed"]) for e in answered] == [
        ([1, 2], []),
        ([], [2]),
    ]


def test_two_officers_of_one_party_share_its_answers(analyst, nfp_bg):
    colleague = nfp_of("BG")
    questionnaire = sent(analyst)
    questionnaire_answer(
        officer=nfp_bg, questionnaire=questionnaire, answers=answers_of(questionnaire, ["A."])
    )
    questionnaire_answer(
        officer=colleague, questionnaire=questionnaire, answers=answers_of(questionnaire, ["B."])
    )
    (answer,) = questionnaire.questions.get(position=1).answers.all()
    assert (answer.text, answer.answered_by_id) == ("B.", colleague.pk)


def test_the_author_closes_early_and_the_nfp_is_told(analyst, nfp_bg):
    questionnaire = sent(analyst)
    with pytest.raises(PermissionDenied, match="Only the author"):
        questionnaire_close(officer=second_analyst(), questionnaire=questionnaire)
    questionnaire_close(officer=analyst, questionnaire=questionnaire)
    with pytest.raises(PermissionDenied, match="closed by its author"):
        questionnaire_answer(
            officer=nfp_bg, questionnaire=questionnaire, answers=answers_of(questionnaire, ["A."])
        )
    with pytest.raises(PermissionDenied):
        questionnaire_close(officer=analyst, questionnaire=questionnaire)
    assert open_questionnaires_for(nfp_bg) == []
    assert events_of(questionnaire)[-1] == QuestionnaireAuditEvent.CLOSED


def test_answers_go_into_the_draft_only_once_given_and_only_by_its_author(analyst, nfp_bg):
    questionnaire = sent(analyst)
    with pytest.raises(PermissionDenied, match="No party has answered yet"):
        questionnaire_answers_into_draft(officer=analyst, questionnaire=questionnaire)
    questionnaire_answer(
        officer=nfp_bg, questionnaire=questionnaire, answers=answers_of(questionnaire, ["A."])
    )
    second = questionnaire.questions.get(position=2)
    with pytest.raises(PermissionDenied, match="No party has answered this question"):
        questionnaire_answers_into_draft(
            officer=analyst, questionnaire=questionnaire, question_id=second.pk
        )
    with pytest.raises(PermissionDenied, match="Only the author"):
        questionnaire_answers_into_draft(officer=second_analyst(), questionnaire=questionnaire)
    (section,) = questionnaire_answers_into_draft(
        officer=analyst,
        questionnaire=questionnaire,
        question_id=questionnaire.questions.get(position=1).pk,
    )
    assert section.body.startswith("BG — A.")


# --- Who reads it --------------------------------------------------------------------------------


def test_an_nfp_of_a_recipient_party_reads_it_and_nobody_else_but_the_analysts(
    analyst, nfp_bg, lo_bg, obs_at, op_it, outsider
):
    questionnaire = drafted(analyst)
    # A draft: the analysts only.
    with pytest.raises(Http404):
        questionnaire_get_for_officer(nfp_bg, questionnaire_uuid=questionnaire.uuid)
    questionnaire_send(officer=analyst, questionnaire=questionnaire)
    nfp_at = nfp_of("AT")
    assert questionnaire_get_for_officer(nfp_bg, questionnaire_uuid=questionnaire.uuid) == (
        questionnaire,
        policy.Reader.NFP,
    )
    assert questionnaire_get_for_officer(
        second_analyst(), questionnaire_uuid=questionnaire.uuid
    ) == (questionnaire, policy.Reader.ANALYST)
    for officer in (lo_bg, obs_at, op_it, outsider, nfp_at):
        with pytest.raises(Http404):
            questionnaire_get_for_officer(officer, questionnaire_uuid=questionnaire.uuid)
        with pytest.raises(PermissionDenied):
            questionnaire_answer(
                officer=officer,
                questionnaire=questionnaire,
                answers=answers_of(questionnaire, ["A."]),
            )
    with pytest.raises(Http404):
        questionnaire_get_for_officer(nfp_bg, questionnaire_uuid="not-a-uuid")


def test_the_nfp_lists_their_party_s_open_questionnaires_soonest_first(analyst, nfp_bg):
    product = threat_assessment(analyst)
    later = sent(analyst, product)
    sooner = drafted(analyst, product)
    Questionnaire.objects.filter(pk=sooner.pk).update(deadline=in_days(3))
    sooner.refresh_from_db()
    questionnaire_send(officer=analyst, questionnaire=sooner)
    questionnaire_answer(officer=nfp_bg, questionnaire=later, answers=answers_of(later, ["A."]))
    rows = open_questionnaires_for(nfp_bg)
    assert [(r.questionnaire, r.questions, r.answered) for r in rows] == [
        (sooner, 2, 0),
        (later, 2, 1),
    ]
    assert open_questionnaires_for(analyst) == []


# --- Policy --------------------------------------------------------------------------------------


def test_a_questionnaire_is_open_to_the_end_of_its_deadline_day():
    day = dt.date(2026, 6, 30)
    sent_ = QuestionnaireStatus.SENT
    assert policy.is_open(status=sent_, deadline=day, today=day)
    assert not policy.is_open(status=sent_, deadline=day, today=day + dt.timedelta(days=1))
    assert not policy.is_open(status=QuestionnaireStatus.CLOSED, deadline=day, today=day)
    assert not policy.is_open(status=QuestionnaireStatus.DRAFT, deadline=day, today=day)
    assert (
        policy.shown_status(status=sent_, deadline=day, today=day + dt.timedelta(days=1))
        == QuestionnaireStatus.CLOSED
    )


def test_an_nfp_whose_party_left_the_members_reads_nothing_more():
    def seen(party_status: str) -> policy.Reader:
        return policy.reader(
            role=Role.NFP_OFFICER,
            party_id=7,
            party_status=party_status,
            status=QuestionnaireStatus.SENT,
            recipient_party_ids={7},
        )

    assert seen(PartyStatus.MEMBER) == policy.Reader.NFP
    for status in (PartyStatus.FORMER, PartyStatus.OBSERVER, PartyStatus.OPERATIONAL_PARTNER):
        assert seen(status) == policy.Reader.NONE


# --- The block of the threat assessment's page ---------------------------------------------------


def test_the_product_page_block_says_how_many_parties_answered(analyst, nfp_bg, lo_bg):
    product = threat_assessment(analyst)
    questionnaire = sent(analyst, product)
    questionnaire_answer(
        officer=nfp_bg, questionnaire=questionnaire, answers=answers_of(questionnaire, ["A."])
    )
    block = questionnaires_block(analyst, product)
    (row,) = block.rows
    members = contributing_parties().count()
    assert (row.questions, row.recipients, row.answered) == (2, members, 1)
    assert block.may_draft
    html = render_to_string(
        "products/_questionnaires.html", {"questionnaires": block, "product": product}
    )
    assert f"1 of {members}" in html
    assert f"/products/questionnaires/{questionnaire.uuid}/" in html
    assert "New questionnaire" in html
    assert not questionnaires_block(second_analyst(), product).may_draft
    assert not questionnaires_block(lo_bg, product).shown
    product_submit(officer=analyst, product=product)
    product.refresh_from_db()
    assert product.status == ProductStatus.IN_REVIEW
    assert not questionnaires_block(analyst, product).may_draft
