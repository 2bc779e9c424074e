"""The authorization matrix: persona x handling code x personal data x action.

Scenario: lo.ro (Romanian Police) sends a request to Bulgarian Police, Turkish Customs and the
Police of Italy (operational partner) — and, when it carries no personal data, to the Police of
Austria (observer). It has one attachment; lo.bg has asked to lift the restrictions.

Answers: ok (allowed), 400 (the input breaks a rule: personal data from or to an observer),
403 (may read but not do this), 404 (may not know it exists).
Columns: H0 H1 H2 H3 without personal data | H0 H1 H2 H3 with personal data.
"reply_personal_data" is a reply carrying an entity: refused to an observer, who sends no
personal data, and to the provider while an observer holds the thread (it would reach it).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404

from exchanges.models import DisseminationKind, DisseminationRequest, Exchange
from exchanges.selectors import exchanges_visible_to
from exchanges.services import (
    consultation,
    dissemination_requests,
    on_receipt,
    restriction_changes,
    sending,
)
from partners.models import Officer
from selec.core.policy_values import Restrictions
from tests.exchanges.scenario import agency_ids, message, send
from tests.helpers import agency_of, purpose_given

MATRIX = """
persona  action                 | H0  H1  H2  H3  | H0  H1  H2  H3
lo.ro    list                   | ok  ok  ok  ok  | ok  ok  ok  ok
lo.ro    view                   | ok  ok  ok  ok  | ok  ok  ok  ok
lo.ro    download               | ok  ok  ok  ok  | ok  ok  ok  ok
lo.ro    reply                  | ok  ok  ok  ok  | ok  ok  ok  ok
lo.ro    reply_personal_data    | 400 400 400 400 | ok  ok  ok  ok
lo.ro    forward                | ok  ok  ok  ok  | ok  ok  ok  ok
lo.ro    request_dissemination  | 403 403 403 403 | 403 403 403 403
lo.ro    grant                  | ok  ok  ok  ok  | ok  ok  ok  ok
lo.ro    tighten                | ok  ok  ok  ok  | ok  ok  ok  ok
lo.ro    export_evidence        | ok  ok  ok  ok  | ok  ok  ok  ok
lo.bg    list                   | ok  ok  ok  ok  | ok  ok  ok  ok
lo.bg    view                   | ok  ok  ok  ok  | ok  ok  ok  ok
lo.bg    download               | ok  ok  ok  ok  | ok  ok  ok  ok
lo.bg    reply                  | ok  ok  ok  ok  | ok  ok  ok  ok
lo.bg    reply_personal_data    | ok  ok  ok  ok  | ok  ok  ok  ok
lo.bg    forward                | ok  ok  403 ok  | ok  ok  403 ok
lo.bg    request_dissemination  | 403 ok  ok  403 | 403 ok  ok  403
lo.bg    grant                  | 403 403 403 403 | 403 403 403 403
lo.bg    tighten                | 403 403 403 403 | 403 403 403 403
lo.bg    export_evidence        | ok  403 ok  ok  | ok  403 ok  ok
nfp.bg   list                   | ok  ok  ok  ok  | ok  ok  ok  ok
nfp.bg   view                   | ok  ok  ok  ok  | ok  ok  ok  ok
nfp.bg   download               | ok  ok  ok  ok  | ok  ok  ok  ok
nfp.bg   reply                  | 403 403 403 403 | 403 403 403 403
nfp.bg   reply_personal_data    | 403 403 403 403 | 403 403 403 403
nfp.bg   forward                | 403 403 403 403 | 403 403 403 403
nfp.bg   request_dissemination  | 403 403 403 403 | 403 403 403 403
nfp.bg   grant                  | 403 403 403 403 | 403 403 403 403
nfp.bg   tighten                | 403 403 403 403 | 403 403 403 403
nfp.bg   export_evidence        | 403 403 403 403 | 403 403 403 403
lo.tr    list                   | ok  ok  ok  ok  | ok  ok  ok  ok
lo.tr    view                   | ok  ok  ok  ok  | ok  ok  ok  ok
lo.tr    download               | ok  ok  ok  ok  | ok  ok  ok  ok
lo.tr    reply                  | ok  ok  ok  ok  | ok  ok  ok  ok
lo.tr    reply_personal_data    | ok  ok  ok  ok  | ok  ok  ok  ok
lo.tr    forward                | ok  ok  403 ok  | ok  ok  403 ok
lo.tr    request_dissemination  | 403 ok  ok  403 | 403 ok  ok  403
lo.tr    grant                  | 403 403 403 403 | 403 403 403 403
lo.tr    tighten                | 403 403 403 403 | 403 403 403 403
lo.tr    export_evidence        | ok  403 ok  ok  | ok  403 ok  ok
op.it    list                   | ok  ok  ok  ok  | ok  ok  ok  ok
op.it    view                   | ok  ok  ok  ok  | ok  ok  ok  ok
op.it    download               | ok  ok  ok  ok  | ok  ok  ok  ok
op.it    reply                  | ok  ok  ok  ok  | ok  ok  ok  ok
op.it    reply_personal_data    | ok  ok  ok  ok  | ok  ok  ok  ok
op.it    forward                | ok  ok  403 ok  | ok  ok  403 ok
op.it    request_dissemination  | 403 ok  ok  403 | 403 ok  ok  403
op.it    grant                  | 403 403 403 403 | 403 403 403 403
op.it    tighten                | 403 403 403 403 | 403 403 403 403
op.it    export_evidence        | ok  403 ok  ok  | ok  403 ok  ok
obs.at   list                   | ok  ok  ok  ok  | 404 404 404 404
obs.at   view                   | ok  ok  ok  ok  | 404 404 404 404
obs.at   download               | ok  ok  ok  ok  | 404 404 404 404
obs.at   reply                  | ok  ok  ok  ok  | 404 404 404 404
obs.at   reply_personal_data    | 400 400 400 400 | 404 404 404 404
obs.at   forward                | ok  ok  403 ok  | 404 404 404 404
obs.at   request_dissemination  | 403 ok  ok  403 | 404 404 404 404
obs.at   grant                  | 403 403 403 403 | 404 404 404 404
obs.at   tighten                | 403 403 403 403 | 404 404 404 404
obs.at   export_evidence        | ok  403 ok  ok  | 404 404 404 404
lo.al    *                      | 404 404 404 404 | 404 404 404 404
analyst  *                      | 404 404 404 404 | 404 404 404 404
dpo      *                      | 404 404 404 404 | 404 404 404 404
admin    *                      | 404 404 404 404 | 404 404 404 404
"""

ACTIONS = [
    "list",
    "view",
    "download",
    "reply",
    "reply_personal_data",
    "forward",
    "request_dissemination",
    "grant",
    "tighten",
    "export_evidence",
]
COLUMNS = [(code, personal) for personal in (False, True) for code in ("H0", "H1", "H2", "H3")]


def _expected() -> dict[tuple[str, str, bool, str], str]:
    table: dict[tuple[str, str, bool, str], str] = {}
    for line in MATRIX.strip().splitlines()[1:]:
        head, *groups = line.split("|")
        persona, action = head.split()
        cells = " ".join(groups).split()
        for (code, personal), cell in zip(COLUMNS, cells, strict=True):
            for a in ACTIONS if action == "*" else [action]:
                table[(persona, code, personal, a)] = cell
    return table


EXPECTED = _expected()
PERSONAS = sorted({p for p, *_ in EXPECTED})


class _Rollback(Exception):
    pass


def _answer(run: Callable[[], object]) -> str:
    """Run an action and undo whatever it did, returning ok / 400 / 403 / 404."""
    try:
        with transaction.atomic():
            run()
            raise _Rollback
    except _Rollback:
        return "ok"
    except Http404:
        return "404"
    except PermissionDenied:
        return "403"
    except ValidationError:
        return "400"


def _actions(
    officer: Officer, exchange: Exchange, request: DisseminationRequest
) -> dict[str, Callable[[], object]]:
    def confirmed(action: Callable[[], object]) -> Callable[[], object]:
        # A reader says why they open the thread and confirms an H3 text first: the actions,
        # not the gates, are tested here.
        def run() -> object:
            on_receipt.exchange_confirm_restrictions(officer=officer, exchange=exchange)
            purpose_given(officer, exchange)
            return action()

        return run

    def listed() -> None:
        if not exchanges_visible_to(officer).filter(pk=exchange.pk).exists():
            raise Http404

    kind = (
        DisseminationKind.SHARE if exchange.restrict_dissemination else DisseminationKind.EVIDENCE
    )
    return {
        "list": listed,
        "view": confirmed(
            lambda: consultation.exchange_consult(officer=officer, exchange=exchange)
        ),
        "download": confirmed(
            lambda: consultation.attachment_download(
                officer=officer, attachment_id=exchange.attachments.get().pk
            )
        ),
        "reply": confirmed(
            lambda: sending.exchange_reply(
                officer=officer,
                parent=exchange,
                message=message(personal=exchange.personal_data, attachments=()),
            )
        ),
        "reply_personal_data": confirmed(
            lambda: sending.exchange_reply(
                officer=officer, parent=exchange, message=message(personal=True, attachments=())
            )
        ),
        "forward": lambda: sending.exchange_forward(
            officer=officer,
            exchange=exchange,
            agency_ids=agency_ids("Hellenic Police"),
            justification="joint case",
        ),
        "request_dissemination": lambda: dissemination_requests.dissemination_request_file(
            officer=officer,
            exchange=exchange,
            kind=kind,
            target_agency_ids=agency_ids("Hellenic Police"),
            intended_use="Joint investigation",
            justification="The suspect is active in Greece.",
        ),
        "grant": lambda: dissemination_requests.dissemination_request_decide(
            officer=officer, request=request, grant=True
        ),
        "tighten": lambda: restriction_changes.exchange_change_restrictions(
            officer=officer,
            exchange=exchange,
            restrictions=Restrictions(
                evidence=True, dissemination=True, text=exchange.restriction_text
            ),
        ),
        "export_evidence": confirmed(
            lambda: consultation.exchange_export_evidence(
                officer=officer, exchange=exchange, justification="Case 12/2026"
            )
        ),
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "personal"),
    COLUMNS,
    ids=[f"{c}-{'personal' if p else 'strategic'}" for c, p in COLUMNS],
)
def test_every_persona_gets_exactly_the_answer_in_the_matrix(code: str, personal: bool) -> None:
    sender = Officer.objects.get(username="lo.ro")
    recipients = ["Bulgarian Police", "Turkish Customs", "Police of Italy"] + (
        [] if personal else ["Police of Austria"]
    )
    exchange = send(sender, *recipients, code=code, personal=personal)
    request = DisseminationRequest.objects.create(
        exchange=exchange,
        kind=DisseminationKind.SHARE,
        requesting_agency=agency_of(Officer.objects.get(username="lo.bg")),
        requested_by=Officer.objects.get(username="lo.bg"),
        intended_use="Joint investigation",
        justification="Needed by the Hellenic Police",
        requested_at=exchange.sent_at,
    )
    request.target_agencies.set(agency_ids("Hellenic Police"))

    mismatches = {}
    for username in PERSONAS:
        officer = Officer.objects.select_related("agency__party").get(username=username)
        for action, run in _actions(officer, exchange, request).items():
            got, want = _answer(run), EXPECTED[(username, code, personal, action)]
            if got != want:
                mismatches[(username, action)] = f"got {got}, matrix says {want}"
    assert mismatches == {}


def test_the_matrix_has_a_cell_for_every_persona_column_and_action() -> None:
    assert len(EXPECTED) == len(PERSONAS) * len(COLUMNS) * len(ACTIONS)
    assert {
        "lo.ro",
        "lo.bg",
        "nfp.bg",
        "lo.tr",
        "lo.al",
        "obs.at",
        "op.it",
        "analyst",
        "dpo",
        "admin",
    } == set(PERSONAS)
