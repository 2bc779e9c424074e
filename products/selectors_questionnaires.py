"""Scoped reads of questionnaires. Analysts read every questionnaire with every party's
answers; the NFP officers of a party it was sent to read its questions and their own party's
answers (``products.policy_questionnaires.reader``); anybody else gets 404, the same as for a
questionnaire that does not exist. Each page costs a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import Officer, Party, PartyStatus
from partners.selectors import officers_concerned
from products.models import Product, ProductKind, ProductStatus
from products.models_questionnaires import (
    Questionnaire,
    QuestionnaireAnswer,
    QuestionnaireQuestion,
)
from products.policy_questionnaires import (
    Reader,
    answers_questionnaires,
    contributes,
    is_open,
    reader,
    shown_status,
    works_on_questionnaires,
)

LIST_LIMIT = 100


def installation_today() -> dt.date:
    """The date at headquarters (the installation's time zone), whatever zone the officer's
    pages are shown in: a deadline ends at the same moment for every party."""
    return timezone.localdate(timezone=timezone.get_default_timezone())


def closes_at(deadline: dt.date) -> dt.datetime:
    """The moment answers stop being taken: the end of the deadline day at headquarters (the
    pages show it in the officer's own time zone)."""
    return dt.datetime.combine(
        deadline + dt.timedelta(days=1), dt.time(0), tzinfo=timezone.get_default_timezone()
    )


class _Count(Subquery):
    """The number of rows a subquery returns (0 for none)."""

    template = "(SELECT count(*) FROM (%(subquery)s) _counted)"
    output_field = IntegerField()


def _recipients_through() -> QuerySet[Any]:
    return Questionnaire.parties.through.objects.all()


def _questions_of_outer() -> _Count:
    return _Count(QuestionnaireQuestion.objects.filter(questionnaire=OuterRef("pk")).values("pk"))


# --- One questionnaire -------------------------------------------------------------------------


def _not_found() -> Http404:
    return Http404(_("No questionnaire matches the given query."))


def _party_of(officer: Officer) -> Party | None:
    # Loaded with the officer on each request (``partners.auth``): no query.
    return officer.agency.party if officer.agency_id and officer.agency else None


def questionnaire_get_for_officer(
    officer: Officer, *, questionnaire_uuid: uuid.UUID | str
) -> tuple[Questionnaire, Reader]:
    """The questionnaire, and how the officer reads it; 404 if they may not (one query)."""
    try:
        key = uuid.UUID(str(questionnaire_uuid))
    except ValueError:
        raise _not_found() from None
    if not officer.is_active:
        raise _not_found()
    party = _party_of(officer)
    found = (
        Questionnaire.objects.filter(uuid=key)
        .select_related("product", "product__author", "sent_by", "closed_by")
        .annotate(
            for_party=Exists(
                _recipients_through().filter(
                    questionnaire_id=OuterRef("pk"), party_id=party.pk if party else None
                )
            )
            if party
            else Value(False)
        )
        .first()
    )
    if found is None:
        raise _not_found()
    seen_as = reader(
        role=officer.role,
        party_id=party.pk if party else None,
        party_status=party.status if party else None,
        status=found.status,
        recipient_party_ids={party.pk} if party and found.for_party else set(),
    )
    if seen_as == Reader.NONE:
        raise _not_found()
    return found, seen_as


@dataclass(frozen=True)
class QuestionRow:
    question: QuestionnaireQuestion
    crime_area: str
    # Analysts: every party's answer, by party code; an NFP: their own party's, if any.
    answers: list[QuestionnaireAnswer]
    # Analysts: the recipient parties that have not answered this question.
    missing: list[Party]


@dataclass(frozen=True)
class PartyRow:
    party: Party
    answered: int  # questions answered


@dataclass(frozen=True)
class QuestionnairePage:
    questionnaire: Questionnaire
    product: Product
    seen_as: Reader
    status: str  # as shown: a sent questionnaire past its deadline is closed
    open: bool
    closes_at: dt.datetime
    questions: list[QuestionRow]
    parties: list[PartyRow]  # analysts: each recipient party and how far it answered
    answered_parties: int
    party: Party | None  # an NFP: their party

    @property
    def analyst(self) -> bool:
        return self.seen_as == Reader.ANALYST


def questionnaire_page(
    officer: Officer, questionnaire: Questionnaire, seen_as: Reader
) -> QuestionnairePage:
    """What the questionnaire page shows the officer (three queries)."""
    party = _party_of(officer) if seen_as == Reader.NFP else None
    answers = QuestionnaireAnswer.objects.select_related("party", "answered_by").order_by(
        "party__code"
    )
    if party is not None:
        answers = answers.filter(party=party)
    questions = list(
        questionnaire.questions.select_related("crime_area").prefetch_related(
            Prefetch("answers", queryset=answers)
        )
    )
    recipients = list(questionnaire.parties.order_by("code")) if seen_as == Reader.ANALYST else []
    rows = []
    answered_by_party: dict[int, int] = {p.pk: 0 for p in recipients}
    for question in questions:
        given = list(question.answers.all())
        answered = {a.party_id for a in given}
        for party_id in answered:
            if party_id in answered_by_party:
                answered_by_party[party_id] += 1
        rows.append(
            QuestionRow(
                question=question,
                crime_area=str(question.crime_area),
                answers=given,
                missing=[p for p in recipients if p.pk not in answered],
            )
        )
    today = installation_today()
    return QuestionnairePage(
        questionnaire=questionnaire,
        product=questionnaire.product,
        seen_as=seen_as,
        status=shown_status(
            status=questionnaire.status, deadline=questionnaire.deadline, today=today
        ),
        open=is_open(status=questionnaire.status, deadline=questionnaire.deadline, today=today),
        closes_at=closes_at(questionnaire.deadline),
        questions=rows,
        parties=[PartyRow(party=p, answered=answered_by_party[p.pk]) for p in recipients],
        answered_parties=sum(1 for n in answered_by_party.values() if n),
        party=party,
    )


# --- The NFP's list ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenQuestionnaire:
    questionnaire: Questionnaire
    questions: int
    answered: int  # by the officer's party
    closes_at: dt.datetime


def open_questionnaires_for(officer: Officer) -> list[OpenQuestionnaire]:
    """The questionnaires the officer's party is asked to answer and still may, soonest
    deadline first (one query). Empty for anybody but an NFP officer of a member state."""
    party = _party_of(officer)
    if not (
        officer.is_active
        and party is not None
        and answers_questionnaires(role=officer.role, party_status=party.status)
    ):
        return []
    rows = (
        Questionnaire.objects.filter(
            Exists(
                _recipients_through().filter(questionnaire_id=OuterRef("pk"), party_id=party.pk)
            ),
            status="sent",
            deadline__gte=installation_today(),
        )
        .select_related("product")
        .annotate(
            n_questions=_questions_of_outer(),
            n_answered=_Count(
                QuestionnaireAnswer.objects.filter(
                    question__questionnaire=OuterRef("pk"), party_id=party.pk
                ).values("pk")
            ),
        )
        .order_by("deadline", "id")[:LIST_LIMIT]
    )
    return [
        OpenQuestionnaire(
            questionnaire=q,
            questions=q.n_questions,
            answered=q.n_answered,
            closes_at=closes_at(q.deadline),
        )
        for q in rows
    ]


# --- The block of a threat assessment's page --------------------------------------------------


@dataclass(frozen=True)
class QuestionnaireSummary:
    questionnaire: Questionnaire
    status: str  # as shown
    questions: int
    recipients: int
    answered: int  # parties that answered at least one question


@dataclass(frozen=True)
class QuestionnairesBlock:
    shown: bool  # analysts, on a threat assessment
    may_draft: bool  # its author, while it is a draft
    rows: list[QuestionnaireSummary]


def questionnaires_block(officer: Officer, product: Product) -> QuestionnairesBlock:
    """The questionnaires of a threat assessment, for its page (one query; none for whoever
    is not an analyst, or for another kind of product)."""
    if not (
        works_on_questionnaires(role=officer.role) and product.kind == ProductKind.THREAT_ASSESSMENT
    ):
        return QuestionnairesBlock(shown=False, may_draft=False, rows=[])
    today = installation_today()
    questionnaires = product.questionnaires.annotate(
        n_questions=_questions_of_outer(),
        n_recipients=_Count(_recipients_through().filter(questionnaire_id=OuterRef("pk"))),
        n_answered=_Count(
            QuestionnaireAnswer.objects.filter(question__questionnaire=OuterRef("pk"))
            .values("party_id")
            .distinct()
        ),
    ).order_by("-created_at", "-pk")
    return QuestionnairesBlock(
        shown=True,
        may_draft=product.status == ProductStatus.DRAFT and product.author_id == officer.pk,
        rows=[
            QuestionnaireSummary(
                questionnaire=q,
                status=shown_status(status=q.status, deadline=q.deadline, today=today),
                questions=q.n_questions,
                recipients=q.n_recipients,
                answered=q.n_answered,
            )
            for q in questionnaires
        ],
    )


# --- Whom it goes to ---------------------------------------------------------------------------


def contributing_parties() -> QuerySet[Party]:
    """The parties a questionnaire is sent to now (``policy_questionnaires.contributes``)."""
    return Party.objects.filter(status__in=[s for s in PartyStatus if contributes(s)]).order_by(
        "code"
    )


def questionnaire_nfp_officers(party_ids: list[int]) -> QuerySet[Officer]:
    """The NFP officers of these parties with confirmed access: whom a sending is told to."""
    return officers_concerned(nfp_party_ids=party_ids)
