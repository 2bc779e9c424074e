"""Who may do what with a threat assessment's questionnaire: the one place this is decided.

Pure functions over plain values (no database), as ``products.policy`` is; the services and
selectors of ``products.*_questionnaires`` ask them.

The rules:
1. The author of a draft threat assessment (an analyst) drafts its questionnaires, edits one
   while it is a draft, sends it and closes it. Its questions are about the product's crime
   areas; at least one is asked.
2. It is sent to the member states: the parties whose status lets them contribute to a threat
   assessment (not observers, not operational partners, not former members), fixed at sending.
   The deadline is a day after the day of sending.
3. A questionnaire takes answers until the end of its deadline day in the installation's time
   zone (SELEC's headquarters), the same moment for every party whatever its officers' own
   zones; or until its author closes it earlier. Nothing runs at the deadline: whether it is
   open is worked out from the date each time it is asked.
4. The National Focal Point officers of a recipient party read the questions and their own
   party's answers, and write them, while it is open; once closed, they are told so. Analysts
   read every party's answers, at any time. Anybody else: 404, as for a questionnaire that
   does not exist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum

from django.utils import formats
from django.utils.translation import gettext as _

from partners.models import PartyStatus, Role
from products.models import ProductKind, ProductStatus
from products.models_questionnaires import QuestionnaireStatus
from selec.core.policy_values import PolicyError, permits

# A question's text, and the most a questionnaire asks: it is read and answered by people.
QUESTION_MAX_LENGTH = 2000
MAX_QUESTIONS = 60


class Reader(StrEnum):
    """How an officer reads a questionnaire."""

    ANALYST = "analyst"  # every party's answers
    NFP = "nfp"  # their own party's answers, while it is open
    NONE = "none"  # 404


def contributes(party_status: str) -> bool:
    """Whether a party of this status is asked to contribute to a threat assessment: the
    member states only. Operational partners exchange and take part in operations, but the
    threat assessment is the members' own."""
    return party_status == PartyStatus.MEMBER


def works_on_questionnaires(*, role: str) -> bool:
    return role == Role.ANALYST


def is_questionnaire_author(*, role: str, officer_id: int, author_id: int) -> bool:
    """The analyst who wrote the threat assessment the questionnaire belongs to."""
    return works_on_questionnaires(role=role) and officer_id == author_id


def answers_questionnaires(*, role: str, party_status: str | None) -> bool:
    """The list of open questionnaires (the menu's entry): NFP officers of a member state."""
    return role == Role.NFP_OFFICER and party_status is not None and contributes(party_status)


def is_open(*, status: str, deadline: dt.date, today: dt.date) -> bool:
    """Sent, not closed by its author, and the deadline day (``today`` is the installation's
    date) not over."""
    return status == QuestionnaireStatus.SENT and today <= deadline


def shown_status(*, status: str, deadline: dt.date, today: dt.date) -> str:
    """The status a page shows: a sent questionnaire past its deadline is closed."""
    if status == QuestionnaireStatus.SENT and not is_open(
        status=status, deadline=deadline, today=today
    ):
        return QuestionnaireStatus.CLOSED
    return status


def reader(
    *,
    role: str,
    party_id: int | None,
    party_status: str | None,
    status: str,
    recipient_party_ids: Collection[int],
) -> Reader:
    """Who the officer is to this questionnaire (rule 4). A draft has no recipients yet; an
    NFP whose party has left the members since the sending reads nothing more."""
    if works_on_questionnaires(role=role):
        return Reader.ANALYST
    if (
        role == Role.NFP_OFFICER
        and status != QuestionnaireStatus.DRAFT
        and party_id is not None
        and party_id in recipient_party_ids
        and party_status is not None
        and contributes(party_status)
    ):
        return Reader.NFP
    return Reader.NONE


@dataclass(frozen=True)
class AuthorOffers:
    """What the questionnaire page offers the officer as the author of its threat assessment
    (rule 1; the services ask again)."""

    author: bool  # the author's section of the page
    edits: bool  # edit and send a draft questionnaire
    uses_answers: bool  # take the answers into the draft


def author_offers(
    *,
    role: str,
    officer_id: int,
    author_id: int,
    product_kind: str,
    product_status: str,
    questionnaire_status: str,
    answered_parties: int,
) -> AuthorOffers:
    """Asked of the checks the services make (``check_author``, ``check_draft_status``)."""
    writes = permits(
        lambda: check_author(
            role=role,
            officer_id=officer_id,
            author_id=author_id,
            product_kind=product_kind,
            product_status=product_status,
        )
    )
    return AuthorOffers(
        author=is_questionnaire_author(role=role, officer_id=officer_id, author_id=author_id),
        edits=writes and permits(lambda: check_draft_status(questionnaire_status)),
        uses_answers=writes and answered_parties > 0,
    )


def _day(day: dt.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def check_open_for_party(*, status: str, deadline: dt.date, today: dt.date) -> None:
    """An NFP reads and answers an open questionnaire only; after, it is told why not."""
    if status == QuestionnaireStatus.CLOSED:
        raise PolicyError(
            _(
                "This questionnaire was closed by its author: answers are no longer taken. "
                "The answers your party gave before were handed to the analysts."
            )
        )
    if not is_open(status=status, deadline=deadline, today=today):
        raise PolicyError(
            # Translators: %(deadline)s is a date.
            _(
                "The deadline of this questionnaire, %(deadline)s, has passed: answers are no "
                "longer taken. The answers your party gave before were handed to the analysts."
            )
            % {"deadline": _day(deadline)}
        )


def check_author(
    *, role: str, officer_id: int, author_id: int, product_kind: str, product_status: str
) -> None:
    """Rule 1: the author of a draft threat assessment, and only then."""
    if not works_on_questionnaires(role=role):
        raise PolicyError(_("Only analysts send questionnaires."))
    if product_kind != ProductKind.THREAT_ASSESSMENT:
        raise PolicyError(_("Only a threat assessment asks the member states questions."))
    if product_status != ProductStatus.DRAFT:
        raise PolicyError(
            _("Questionnaires are sent while the threat assessment is a draft: it is %(status)s.")
            % {"status": ProductStatus(product_status).label.lower()}
        )
    if officer_id != author_id:
        raise PolicyError(_("Only the author of the threat assessment sends its questionnaires."))


def check_draft_status(status: str) -> None:
    if status != QuestionnaireStatus.DRAFT:
        raise PolicyError(_("This questionnaire was sent: its questions no longer change."))


def check_close(*, role: str, officer_id: int, author_id: int, status: str) -> None:
    """The author closes a sent questionnaire before its deadline (a draft is simply kept)."""
    if not is_questionnaire_author(role=role, officer_id=officer_id, author_id=author_id):
        raise PolicyError(_("Only the author of the threat assessment closes its questionnaires."))
    if status != QuestionnaireStatus.SENT:
        raise PolicyError(_("Only a questionnaire that was sent, and is still open, is closed."))


def check_deadline(deadline: dt.date, *, today: dt.date) -> None:
    if deadline <= today:
        raise PolicyError(
            # Translators: %(today)s is a date.
            _("Choose a deadline after today (%(today)s): the member states need time to answer.")
            % {"today": _day(today)},
            field="deadline",
        )


def check_questions(
    questions: Sequence[tuple[int, str]], *, crime_area_ids: Collection[int]
) -> None:
    """Questions (crime area id, text): about the product's crime areas, at least one."""
    if not crime_area_ids:
        raise PolicyError(
            _("Choose the threat assessment's crime areas first: questions are asked per area."),
            field="questions",
        )
    if not questions:
        raise PolicyError(_("Ask at least one question."), field="questions")
    if len(questions) > MAX_QUESTIONS:
        raise PolicyError(
            _("A questionnaire asks %(max)d questions at most.") % {"max": MAX_QUESTIONS},
            field="questions",
        )
    for area_id, text in questions:
        if area_id not in crime_area_ids:
            raise PolicyError(
                _("Ask about the threat assessment's own crime areas."), field="questions"
            )
        if not text.strip() or len(text) > QUESTION_MAX_LENGTH:
            raise PolicyError(
                _("A question has 1 to %(max)d characters.") % {"max": QUESTION_MAX_LENGTH},
                field="questions",
            )


def check_recipients(party_ids: Collection[int]) -> None:
    if not party_ids:
        raise PolicyError(_("No member state takes part at present: there is nobody to ask."))
