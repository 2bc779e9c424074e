"""The actions on an exchange that take a form: reply, forward, request dissemination, change
the restrictions, export as evidence. Each view parses, calls the one service that decides and
records, and answers: done, back to the thread saying what was done; refused, the reason
(403, no content on the page); otherwise the form again with its errors.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from exchanges.forms_thread import (
    DisseminationRequestForm,
    EvidenceForm,
    ForwardForm,
    ReplyForm,
    RestrictionsForm,
)
from exchanges.models import Exchange
from exchanges.policy import Perm
from exchanges.selectors import exchange_get_for_officer, require_perm
from exchanges.selectors_thread import agencies_to_add
from exchanges.services.consultation import (
    PurposeRequired,
    RestrictionNotConfirmed,
    exchange_consult,
    exchange_export_evidence,
)
from exchanges.services.dissemination_requests import dissemination_request_file
from exchanges.services.restriction_changes import exchange_change_restrictions
from exchanges.services.sending import exchange_forward, exchange_reply
from exchanges.views.thread import thread_url
from partners.auth import officer_of
from selec.core.files import download_response
from selec.core.form_pages import Submission, apply_service_errors, refusal_reason, submit


def _refused(
    request: HttpRequest,
    exchange: Exchange,
    reason: str,
    *,
    status: int = 403,
    evidence_form: EvidenceForm | None = None,
) -> HttpResponse:
    """An action on the thread that was not carried out, and why (no content on this page)."""
    return render(
        request,
        "exchanges/thread.html",
        {"exchange": exchange, "refusal": reason, "evidence_form": evidence_form},
        status=status,
    )


def _reason(exc: Exception) -> str:
    return refusal_reason(exc, _("You may not do this with this exchange."))


def _form_refused(
    request: HttpRequest, template: str, context: dict[str, Any], exc: PermissionDenied
) -> HttpResponse:
    return render(request, template, {**context, "refusal": _reason(exc)}, status=403)


T = TypeVar("T")


def _action_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    form: forms.Form,
    submission: Submission[T],
    said: Callable[[T], str],
) -> HttpResponse:
    """An action on the exchange, from its form: done, what ``said`` tells and back to the
    thread; refused, the reason above the form (403); otherwise the form again."""
    if submission.refusal:
        form.add_error(None, _reason(submission.refusal))
    elif submission.done:
        # Done: act() returned its result; Submission types it T | None whatever done says.
        messages.success(request, said(submission.result))  # type: ignore[arg-type]
        return redirect(thread_url(context["exchange"].reference))
    return render(request, template, {**context, "form": form}, status=submission.status)


@require_http_methods(["GET", "POST"])
def reply(request: HttpRequest, reference: str) -> HttpResponse:
    officer = officer_of(request)
    parent = exchange_get_for_officer(officer, reference=reference)
    context: dict[str, Any] = {"exchange": parent}
    try:
        require_perm(officer, parent, Perm.REPLY)
    except PermissionDenied as exc:
        return _form_refused(request, "exchanges/reply.html", context, exc)
    status = 200
    if request.method == "POST":
        form = ReplyForm(request.POST, request.FILES, parent=parent)
        sent = submit(
            request,
            form,
            lambda: exchange_reply(officer=officer, parent=parent, message=form.message()),
            {"evaluation": "source_reliability"},
        )
        if sent.refusal:
            return _form_refused(
                request, "exchanges/reply.html", {**context, "form": form}, sent.refusal
            )
        if sent.done:
            answer = sent.result
            assert answer is not None  # done: exchange_reply returned the reply it sent
            messages.success(
                request,
                _("Reply %(reply)s sent in answer to %(parent)s.")
                % {"reply": answer.reference, "parent": parent.reference},
            )
            return redirect(thread_url(answer.reference) + f"#message-{answer.reference}")
        status = sent.status
    else:
        # The subject is content: it is read (and the read recorded) before it is prefilled.
        try:
            parent_content = exchange_consult(officer=officer, exchange=parent)
        except PurposeRequired:
            messages.warning(
                request,
                _("Say why you open the thread of %(reference)s before you answer it.")
                % {"reference": parent.reference},
            )
            return redirect(thread_url(parent.reference) + f"#message-{parent.reference}")
        except RestrictionNotConfirmed:
            messages.warning(
                request,
                _("Confirm the restriction of %(reference)s before you answer it.")
                % {"reference": parent.reference},
            )
            return redirect(thread_url(parent.reference) + f"#message-{parent.reference}")
        subject = parent_content.subject
        if not subject.lower().startswith("re:"):
            subject = f"Re: {subject}"
        form = ReplyForm(parent=parent, initial={"subject": subject[:300]})
    context |= {"form": form}
    return render(request, "exchanges/reply.html", context, status=status)


@require_http_methods(["GET", "POST"])
def forward(request: HttpRequest, reference: str) -> HttpResponse:
    officer = officer_of(request)
    exchange = exchange_get_for_officer(officer, reference=reference)
    form = ForwardForm(
        request.POST if request.method == "POST" else None,
        agencies=agencies_to_add(officer, exchange),
    )
    forwarded = submit(
        request,
        form,
        lambda: exchange_forward(
            officer=officer,
            exchange=exchange,
            agency_ids=form.cleaned_data["agencies"],
            justification=form.cleaned_data["justification"],
        ),
        {"recipients": "agencies"},
    )
    return _action_page(
        request,
        "exchanges/forward.html",
        {"exchange": exchange},
        form,
        forwarded,
        lambda added: (
            ngettext(
                "%(reference)s forwarded to %(count)d agency.",
                "%(reference)s forwarded to %(count)d agencies.",
                len(added),
            )
            % {"reference": exchange.reference, "count": len(added)}
        ),
    )


@require_http_methods(["GET", "POST"])
def request_dissemination(request: HttpRequest, reference: str) -> HttpResponse:
    officer = officer_of(request)
    exchange = exchange_get_for_officer(officer, reference=reference)
    context: dict[str, Any] = {"exchange": exchange}
    try:
        require_perm(officer, exchange, Perm.REQUEST_DISSEMINATION)
    except PermissionDenied as exc:
        return _form_refused(request, "exchanges/request_dissemination.html", context, exc)
    form = DisseminationRequestForm(
        request.POST if request.method == "POST" else None,
        exchange=exchange,
        agencies=agencies_to_add(officer, exchange),
    )
    filed = submit(
        request,
        form,
        lambda: dissemination_request_file(
            officer=officer,
            exchange=exchange,
            kind=form.cleaned_data["kind"],
            target_agency_ids=form.cleaned_data["target_agencies"],
            intended_use=form.cleaned_data["intended_use"],
            justification=form.cleaned_data["justification"],
        ),
    )
    return _action_page(
        request,
        "exchanges/request_dissemination.html",
        context,
        form,
        filed,
        lambda _request: (
            _("Your request was sent to the provider of %(reference)s.")
            % {"reference": exchange.reference}
        ),
    )


@require_http_methods(["GET", "POST"])
def restrictions(request: HttpRequest, reference: str) -> HttpResponse:
    officer = officer_of(request)
    exchange = exchange_get_for_officer(officer, reference=reference)
    context: dict[str, Any] = {"exchange": exchange}
    try:
        require_perm(officer, exchange, Perm.MANAGE)
    except PermissionDenied as exc:
        return _form_refused(request, "exchanges/restrictions.html", context, exc)
    form = RestrictionsForm(request.POST if request.method == "POST" else None, exchange=exchange)
    changed = submit(
        request,
        form,
        lambda: exchange_change_restrictions(
            officer=officer, exchange=exchange, restrictions=form.chosen_restrictions()
        ),
    )
    return _action_page(
        request,
        "exchanges/restrictions.html",
        context,
        form,
        changed,
        lambda now: (
            _("The restrictions of %(reference)s are now %(codes)s.")
            % {"reference": now.reference, "codes": " ".join(now.handling_codes)}
        ),
    )


@require_POST
def evidence(request: HttpRequest, reference: str) -> HttpResponse:
    officer = officer_of(request)
    exchange = exchange_get_for_officer(officer, reference=reference)
    form = EvidenceForm(request.POST)
    if not form.is_valid():
        return _refused(
            request,
            exchange,
            _("Say for which proceedings the export is made."),
            status=400,
            evidence_form=form,
        )
    try:
        bundle = exchange_export_evidence(
            officer=officer, exchange=exchange, justification=form.cleaned_data["justification"]
        )
    except PurposeRequired:
        messages.warning(
            request,
            _("Say why you open the thread of %(reference)s before you export it.")
            % {"reference": exchange.reference},
        )
        return redirect(thread_url(exchange.reference))
    except RestrictionNotConfirmed:
        messages.warning(
            request,
            _("Confirm the restriction of %(reference)s before you export it.")
            % {"reference": exchange.reference},
        )
        return redirect(thread_url(exchange.reference))
    except PermissionDenied as exc:
        return _refused(request, exchange, _reason(exc))
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return _refused(request, exchange, " ".join(exc.messages), status=400, evidence_form=form)
    messages.success(
        request,
        _("Evidence file of %(reference)s exported; the export is recorded in the audit log.")
        % {"reference": exchange.reference},
    )
    return download_response(
        json.dumps(bundle, ensure_ascii=False, indent=2).encode(),
        content_type="application/json; charset=utf-8",
        filename=f"{exchange.reference}-evidence.json",
    )
