"""Writes to questionnaires: one use case per function, one transaction, one audit event.

Who may do what is decided by ``products.policy_questionnaires``; the caller has reached the
questionnaire through ``products.selectors_questionnaires`` (404 otherwise). The sending is
told to the NFP officers of the recipient parties after commit (``notify_officers`` queues
the e-mails so). Answers taken into the draft become sections through
``products.services.product_section_save``, audited as any section edit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from partners.models import Officer
from products import policy_questionnaires as policy
from products.models import Product, ProductSection
from products.models_questionnaires import (
    Questionnaire,
    QuestionnaireAnswer,
    QuestionnaireAuditEvent,
    QuestionnaireNotificationKind,
    QuestionnaireQuestion,
    QuestionnaireStatus,
)
from products.selectors_questionnaires import (
    contributing_parties,
    installation_today,
    questionnaire_nfp_officers,
)
from products.services import product_section_save
from selec.core.audit import audit_record
from selec.core.models import AuditAction
from selec.core.notifications import notify_officers
from selec.core.policy_values import PolicyError, normalised_text
from selec.core.service_helpers import max_length_of

ANSWER_MAX_LENGTH = 20_000
INTRO_MAX_LENGTH = 5_000
_HEADING_MAX_LENGTH = max_length_of(ProductSection, "heading")


@dataclass(frozen=True)
class QuestionnaireInput:
    """What the author writes: shared by drafting and editing a questionnaire."""

    deadline: dt.date
    intro: str = ""
    # (crime area id, question), in the order they are asked.
    questions: Sequence[tuple[int, str]] = field(default_factory=tuple)


def _refused(exc: PolicyError) -> ValidationError | PermissionDenied:
    """A refusal of an input (it names a field) is a validation error; of the act, a 403."""
    if exc.field:
        return ValidationError({exc.field: [str(exc)]})
    return PermissionDenied(str(exc))


def _audit(
    officer: Officer,
    questionnaire: Questionnaire,
    event: QuestionnaireAuditEvent,
    action: AuditAction,
    reason: str,
    **details: Any,
) -> int:
    return audit_record(
        actor=officer,
        action=action,
        event=event,
        target=questionnaire,
        reason=reason,
        details={
            "product": questionnaire.product.reference,
            "status": questionnaire.status,
            "deadline": questionnaire.deadline.isoformat(),
            **details,
        },
    ).pk


def _locked_product(product: Product) -> Product:
    return Product.objects.select_for_update(of=("self",)).get(pk=product.pk)


def _locked(questionnaire: Questionnaire) -> Questionnaire:
    # The row lock orders every write to one questionnaire: two officers of a party answering
    # at once, an answer racing the author's closing.
    return (
        Questionnaire.objects.select_for_update(of=("self",))
        .select_related("product")
        .get(pk=questionnaire.pk)
    )


def author_refusal(officer: Officer, product: Product) -> PolicyError | None:
    """Why the officer may not write this product's questionnaires (None: they may): asked by
    the pages before a form is shown, and by the services before a write."""
    try:
        policy.check_author(
            role=officer.role,
            officer_id=officer.pk,
            author_id=product.author_id,
            product_kind=product.kind,
            product_status=product.status,
        )
    except PolicyError as exc:
        return exc
    return None


def _check_author(officer: Officer, product: Product) -> None:
    refusal = author_refusal(officer, product)
    if refusal is not None:
        raise _refused(refusal) from refusal


def _cleaned(product: Product, details: QuestionnaireInput) -> list[tuple[int, str]]:
    """The questions as kept (plain line breaks, no blank edges), every rule checked; the
    errors of all the fields at once."""
    questions = [(area, normalised_text(text)) for area, text in details.questions]
    errors: dict[str, list[str]] = {}
    checks = (
        lambda: policy.check_deadline(details.deadline, today=installation_today()),
        lambda: policy.check_questions(
            questions, crime_area_ids=set(product.crime_areas.values_list("pk", flat=True))
        ),
    )
    for check in checks:
        try:
            check()
        except PolicyError as exc:
            errors.setdefault(exc.field, []).append(str(exc))
    if len(details.intro) > INTRO_MAX_LENGTH:
        errors["intro"] = [
            _("An introduction has at most %(max)d characters.") % {"max": INTRO_MAX_LENGTH}
        ]
    if errors:
        raise ValidationError(errors)
    return questions


def _store_questions(questionnaire: Questionnaire, questions: list[tuple[int, str]]) -> None:
    QuestionnaireQuestion.objects.bulk_create(
        QuestionnaireQuestion(
            questionnaire=questionnaire, crime_area_id=area, position=position, text=text
        )
        for position, (area, text) in enumerate(questions, start=1)
    )


@transaction.atomic
def questionnaire_draft(
    *, officer: Officer, product: Product, details: QuestionnaireInput
) -> Questionnaire:
    """The author of a draft threat assessment writes a questionnaire (kept as a draft)."""
    product = _locked_product(product)
    _check_author(officer, product)
    questions = _cleaned(product, details)
    questionnaire = Questionnaire.objects.create(
        product=product, deadline=details.deadline, intro=normalised_text(details.intro)
    )
    _store_questions(questionnaire, questions)
    _audit(
        officer,
        questionnaire,
        QuestionnaireAuditEvent.DRAFTED,
        AuditAction.COLLECTION,
        "drafted",
        questions=len(questions),
    )
    return questionnaire


@transaction.atomic
def questionnaire_edit(
    *, officer: Officer, questionnaire: Questionnaire, details: QuestionnaireInput
) -> Questionnaire:
    """The author changes a draft questionnaire: its deadline, introduction and questions
    (nobody has answered a draft, so its questions are written again)."""
    questionnaire = _locked(questionnaire)
    product = _locked_product(questionnaire.product)
    _check_author(officer, product)
    try:
        policy.check_draft_status(questionnaire.status)
    except PolicyError as exc:
        raise _refused(exc) from exc
    questions = _cleaned(product, details)
    questionnaire.deadline = details.deadline
    questionnaire.intro = normalised_text(details.intro)
    questionnaire.save(update_fields=["deadline", "intro"])
    questionnaire.questions.all().delete()
    _store_questions(questionnaire, questions)
    _audit(
        officer,
        questionnaire,
        QuestionnaireAuditEvent.EDITED,
        AuditAction.ALTERATION,
        "edited",
        questions=len(questions),
    )
    return questionnaire


@transaction.atomic
def questionnaire_send(*, officer: Officer, questionnaire: Questionnaire) -> Questionnaire:
    """The author sends the questionnaire to the member states, fixed as its recipients now;
    their NFP officers are told."""
    questionnaire = _locked(questionnaire)
    product = _locked_product(questionnaire.product)
    _check_author(officer, product)
    try:
        policy.check_draft_status(questionnaire.status)
    except PolicyError as exc:
        raise _refused(exc) from exc
    # Checked again: the deadline may have come meanwhile, the product's crime areas changed.
    try:
        policy.check_deadline(questionnaire.deadline, today=installation_today())
        policy.check_questions(
            list(questionnaire.questions.values_list("crime_area_id", "text")),
            crime_area_ids=set(product.crime_areas.values_list("pk", flat=True)),
        )
    except PolicyError as exc:
        raise PermissionDenied(
            _("%(reason)s Edit the questionnaire, then send it.") % {"reason": str(exc)}
        ) from exc
    parties = list(contributing_parties())
    try:
        policy.check_recipients([p.pk for p in parties])
    except PolicyError as exc:
        raise _refused(exc) from exc
    questionnaire.parties.set(parties)
    questionnaire.status = QuestionnaireStatus.SENT
    questionnaire.sent_at = timezone.now()
    questionnaire.sent_by = officer
    questionnaire.save(update_fields=["status", "sent_at", "sent_by"])
    event_id = _audit(
        officer,
        questionnaire,
        QuestionnaireAuditEvent.SENT,
        AuditAction.DISCLOSURE,
        "sent to the National Focal Points",
        parties=[p.code for p in parties],
    )
    reference, deadline = product.reference, questionnaire.deadline
    kind = QuestionnaireNotificationKind.QUESTIONNAIRE_SENT
    notify_officers(
        officers=questionnaire_nfp_officers([p.pk for p in parties]),
        kind=kind,
        # Composed in each officer's language, the date in its format.
        title=lambda: (
            _("Questionnaire for threat assessment %(reference)s: answers due by %(deadline)s")
            % {"reference": reference, "deadline": formats.date_format(deadline, "DATE_FORMAT")}
        ),
        link=f"/products/questionnaires/{questionnaire.uuid}/",
        object_type="products.questionnaire",
        object_id=str(questionnaire.pk),
        dedupe_key=f"{kind}:audit-event:{event_id}",
    )
    return questionnaire


@transaction.atomic
def questionnaire_answer(
    *, officer: Officer, questionnaire: Questionnaire, answers: Mapping[int, str]
) -> int:
    """An NFP officer saves their party's answers (question id -> text) while the
    questionnaire is open: new answers are added, changed ones replaced, emptied ones removed,
    the same text left as it is (sending the same answers again changes nothing and records
    nothing). Returns how many answers changed."""
    questionnaire = _locked(questionnaire)
    party = officer.agency.party if officer.agency_id and officer.agency else None
    seen_as = policy.reader(
        role=officer.role,
        party_id=party.pk if party else None,
        party_status=party.status if party else None,
        status=questionnaire.status,
        recipient_party_ids=set(questionnaire.parties.values_list("pk", flat=True)),
    )
    if seen_as != policy.Reader.NFP or party is None:
        raise PermissionDenied(
            _("Only the National Focal Point of a party it was sent to answers a questionnaire.")
        )
    try:
        policy.check_open_for_party(
            status=questionnaire.status,
            deadline=questionnaire.deadline,
            today=installation_today(),
        )
    except PolicyError as exc:
        raise _refused(exc) from exc
    questions = {q.pk: q for q in questionnaire.questions.all()}
    texts = {pk: normalised_text(text) for pk, text in answers.items()}
    errors: dict[str, list[str]] = {}
    for pk, text in texts.items():
        if pk not in questions:
            errors.setdefault("__all__", []).append(_("No such question in this questionnaire."))
        elif len(text) > ANSWER_MAX_LENGTH:
            errors[f"q{pk}"] = [
                _("An answer has at most %(max)d characters.") % {"max": ANSWER_MAX_LENGTH}
            ]
    if errors:
        raise ValidationError(errors)
    existing = {
        a.question_id: a
        for a in QuestionnaireAnswer.objects.filter(question__in=list(questions), party=party)
    }
    now = timezone.now()
    created, changed, removed = [], [], []
    for pk, text in texts.items():
        answer = existing.get(pk)
        if answer is None and text:
            created.append(
                QuestionnaireAnswer(
                    question_id=pk, party=party, text=text, answered_by=officer, answered_at=now
                )
            )
        elif answer is not None and not text:
            removed.append(answer.pk)
        elif answer is not None and answer.text != text:
            answer.text, answer.answered_by, answer.answered_at = text, officer, now
            changed.append(answer)
    if not (created or changed or removed):
        return 0
    QuestionnaireAnswer.objects.bulk_create(created)
    for answer in changed:
        # One by one: the field encrypts each value with its row's key data when the row is
        # saved, which bulk_update would skip (it writes the values as given).
        answer.save(update_fields=["text", "answered_by", "answered_at"])
    QuestionnaireAnswer.objects.filter(pk__in=removed).delete()

    def positions(ids: list[int]) -> list[int]:
        return sorted(questions[pk].position for pk in ids)

    _audit(
        officer,
        questionnaire,
        QuestionnaireAuditEvent.ANSWERED,
        AuditAction.COLLECTION,
        "answered",
        party=party.code,
        added=positions([a.question_id for a in created]),
        changed=positions([a.question_id for a in changed]),
        removed=positions([pk for pk, a in existing.items() if a.pk in removed]),
    )
    return len(created) + len(changed) + len(removed)


@transaction.atomic
def questionnaire_close(*, officer: Officer, questionnaire: Questionnaire) -> Questionnaire:
    """The author stops taking answers before the deadline."""
    questionnaire = _locked(questionnaire)
    try:
        policy.check_close(
            role=officer.role,
            officer_id=officer.pk,
            author_id=questionnaire.product.author_id,
            status=questionnaire.status,
        )
        policy.check_open_for_party(
            status=questionnaire.status,
            deadline=questionnaire.deadline,
            today=installation_today(),
        )
    except PolicyError as exc:
        raise _refused(exc) from exc
    questionnaire.status = QuestionnaireStatus.CLOSED
    questionnaire.closed_at = timezone.now()
    questionnaire.closed_by = officer
    questionnaire.save(update_fields=["status", "closed_at", "closed_by"])
    _audit(officer, questionnaire, QuestionnaireAuditEvent.CLOSED, AuditAction.ALTERATION, "closed")
    return questionnaire


def _section_of(
    question: QuestionnaireQuestion, answers: list[QuestionnaireAnswer]
) -> tuple[str, str]:
    """A question's heading (its crime area and the question) and body (each party's answer,
    "BG — ...", then the parties that gave none)."""
    heading = f"{question.crime_area}: {question.text}"
    heading = " ".join(heading.split())
    paragraphs = []
    if len(heading) > _HEADING_MAX_LENGTH:
        heading = heading[: _HEADING_MAX_LENGTH - 1] + "…"
        paragraphs.append(question.text)  # the whole question, which the heading cuts short
    paragraphs += [f"{a.party.code} — {a.text}" for a in answers]
    return heading, "\n\n".join(paragraphs)


@transaction.atomic
def questionnaire_answers_into_draft(
    *, officer: Officer, questionnaire: Questionnaire, question_id: int | None = None
) -> list[ProductSection]:
    """The author adds to the draft one section per question answered (or for the one
    question given): the crime area and the question as its heading, each party's answer in
    its text, and the parties that did not answer. Each section is saved as any section edit
    is (``product_section_save``); taking the answers again adds new sections, the former
    ones stay until the author removes them."""
    questionnaire = _locked(questionnaire)
    _check_author(officer, questionnaire.product)
    questions = questionnaire.questions.select_related("crime_area")
    if question_id is not None:
        questions = questions.filter(pk=question_id)
        if not questions.exists():
            raise ValidationError({"question": [_("No such question in this questionnaire.")]})
    recipients = list(questionnaire.parties.order_by("code").values_list("pk", "code"))
    answers_of: dict[int, list[QuestionnaireAnswer]] = {}
    for answer in (
        QuestionnaireAnswer.objects.filter(question__questionnaire=questionnaire)
        .select_related("party")
        .order_by("party__code")
    ):
        answers_of.setdefault(answer.question_id, []).append(answer)
    answered = [q for q in questions if answers_of.get(q.pk)]
    if not answered:
        raise PermissionDenied(
            _("No party has answered this question yet.")
            if question_id is not None
            else _("No party has answered yet: there is nothing to add to the draft.")
        )
    sections = []
    # The draft is written in the installation's language, whoever takes the answers into it.
    with translation.override(settings.LANGUAGE_CODE):
        for question in answered:
            given = answers_of[question.pk]
            heading, body = _section_of(question, given)
            silent = [code for pk, code in recipients if pk not in {a.party_id for a in given}]
            if silent:
                body += "\n\n" + _("No answer from: %(parties)s.") % {"parties": ", ".join(silent)}
            sections.append(
                product_section_save(
                    officer=officer, product=questionnaire.product, heading=heading, body=body
                )
            )
    _audit(
        officer,
        questionnaire,
        QuestionnaireAuditEvent.ANSWERS_USED,
        AuditAction.ALTERATION,
        "answers taken into the draft",
        questions=[q.position for q in answered],
        sections=[s.position for s in sections],
    )
    return sections


@transaction.atomic
def questionnaire_read(*, officer: Officer, questionnaire: Questionnaire) -> None:
    """Write the audit event of the questionnaire page's reading (the answers are content)."""
    _audit(
        officer,
        questionnaire,
        QuestionnaireAuditEvent.CONSULTED,
        AuditAction.CONSULTATION,
        "consulted",
    )
