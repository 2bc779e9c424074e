"""The thread of an exchange, its actions and attachment downloads.

Each view parses, calls the service that decides and records, and renders. What the thread
page shows comes from selectors in a fixed number of queries; the content of a message only
from ``exchange_consult`` (which audits the read). The message the URL names opens with the
page; the other messages of the thread open as they scroll into view (htmx), each through its
own audited consultation, so that the page costs the same whatever the length of the thread.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from exchanges.forms_thread import (
    DisseminationRequestForm,
    EvidenceForm,
    ForwardForm,
    ReplyForm,
    RestrictionsForm,
)
from exchanges.models import (
    DisseminationRequest,
    DisseminationStatus,
    Entity,
    Exchange,
    ExchangeKind,
    Recipient,
)
from exchanges.policy import Perm, offers_forward
from exchanges.selectors import (
    agencies_to_add,
    exchange_get_for_officer,
    officer_perms_by_exchange,
    require_perm,
    thread_messages,
)
from exchanges.services import (
    ExchangeContent,
    RestrictionNotConfirmed,
    acknowledges_for,
    attachment_download,
    dissemination_request_file,
    exchange_acknowledge,
    exchange_change_restrictions,
    exchange_confirm_restrictions,
    exchange_consult,
    exchange_export_evidence,
    exchange_forward,
    exchange_reply,
)
from partners.auth import officer_of
from partners.models import Officer
from selec.core.files import download_response
from selec.core.form_pages import Submission, apply_service_errors, refusal_reason, submit
from selec.core.templatetags.selec_tags import HANDLING_MEANINGS


def _thread_url(reference: str) -> str:
    return reverse("exchanges:thread", kwargs={"reference": reference})


@dataclass
class MessageView:
    """One message of the thread as the page shows it to one officer."""

    exchange: Exchange
    perms: frozenset[Perm] = frozenset()
    receipts: list[Recipient] = field(default_factory=list)
    overdue: bool = False
    parent_visible: bool = False
    focused: bool = False
    # Content: opened (``content``), gated by an unconfirmed H3 text, or left to load lazily.
    content: ExchangeContent | None = None
    gated: bool = False
    entities: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)
    # What the officer may do, decided from the permissions the selectors read.
    can_acknowledge: bool = False
    can_forward: bool = False
    pending_requests: list[DisseminationRequest] = field(default_factory=list)
    own_requests: list[DisseminationRequest] = field(default_factory=list)

    @property
    def lazy(self) -> bool:
        return self.content is None and not self.gated

    @property
    def handling(self) -> list[tuple[str, str]]:
        return [(code, HANDLING_MEANINGS[code]) for code in self.exchange.handling_codes]

    @property
    def can_reply(self) -> bool:
        return Perm.REPLY in self.perms

    @property
    def can_request_dissemination(self) -> bool:
        return Perm.REQUEST_DISSEMINATION in self.perms

    @property
    def can_manage(self) -> bool:
        return Perm.MANAGE in self.perms

    @property
    def can_export(self) -> bool:
        return Perm.EXPORT_EVIDENCE in self.perms

    @property
    def has_actions(self) -> bool:
        return any(
            (
                self.can_acknowledge,
                self.can_reply,
                self.can_forward,
                self.can_request_dissemination,
                self.can_manage,
                self.can_export,
            )
        )


def _attribute_label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _attribute_value(value: object) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


def _entity_rows(entities: list[Entity]) -> list[tuple[str, list[tuple[str, str]]]]:
    return [
        (
            str(entity.get_kind_display()),
            [(_attribute_label(k), _attribute_value(v)) for k, v in entity.attributes.items()],
        )
        for entity in entities
    ]


def _open(officer: Officer, view: MessageView) -> None:
    """Open a message's content through the audited consultation, or gate it behind its H3."""
    try:
        view.content = exchange_consult(officer=officer, exchange=view.exchange)
    except RestrictionNotConfirmed:
        view.gated = True
        return
    view.entities = _entity_rows(view.content.entities)


def _message_views(officer: Officer, exchange: Exchange) -> list[MessageView]:
    thread = thread_messages(officer, exchange)
    perms = officer_perms_by_exchange(officer, [m.pk for m in thread])
    visible = {m.pk for m in thread}
    now = timezone.now()
    views = []
    for message in thread:
        receipts = list(message.recipients.all())
        requests = list(message.dissemination_requests.all())
        message_perms = perms[message.pk]
        views.append(
            MessageView(
                exchange=message,
                perms=message_perms,
                receipts=receipts,
                overdue=message.kind == ExchangeKind.REQUEST
                and message.due_at < now
                and any(r.answered_at is None for r in receipts),
                parent_visible=message.in_reply_to_id in visible,
                focused=message.pk == exchange.pk,
                can_acknowledge=Perm.VIEW in message_perms
                and any(
                    r.acknowledged_at is None and acknowledges_for(officer, r) for r in receipts
                ),
                can_forward=offers_forward(message_perms),
                pending_requests=[
                    r
                    for r in requests
                    if Perm.MANAGE in message_perms and r.status == DisseminationStatus.PENDING
                ],
                own_requests=[r for r in requests if r.requesting_agency_id == officer.agency_id],
            )
        )
    return views


def _render_thread(request: HttpRequest, exchange: Exchange) -> HttpResponse:
    officer = officer_of(request)
    views = _message_views(officer, exchange)
    focused = next(v for v in views if v.focused)
    _open(officer, focused)
    root = views[0].exchange if views else exchange
    return render(
        request,
        "exchanges/thread.html",
        {"exchange": exchange, "root": root, "thread_items": views, "focused": focused},
    )


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


@require_GET
def thread(request: HttpRequest, reference: str) -> HttpResponse:
    officer = officer_of(request)
    exchange = exchange_get_for_officer(officer, reference=reference)
    if request.htmx and request.GET.get("part") == "content":  # type: ignore[attr-defined]
        # One message's content, opened as it scrolls into view in its thread.
        view = MessageView(exchange=exchange)
        _open(officer, view)
        response = render(request, "exchanges/_message.html", {"m": view, "content_only": True})
    else:
        response = _render_thread(request, exchange)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_POST
def confirm(request: HttpRequest, reference: str) -> HttpResponse:
    officer = officer_of(request)
    exchange = exchange_get_for_officer(officer, reference=reference)
    exchange_confirm_restrictions(officer=officer, exchange=exchange)
    messages.success(
        request,
        _("You confirmed the restriction of %(reference)s; its content is open to you.")
        % {"reference": exchange.reference},
    )
    return redirect(_thread_url(exchange.reference) + f"#message-{exchange.reference}")


@require_POST
def acknowledge(request: HttpRequest, reference: str) -> HttpResponse:
    officer = officer_of(request)
    exchange = exchange_get_for_officer(officer, reference=reference)
    if exchange_acknowledge(officer=officer, exchange=exchange):
        messages.success(
            request, _("Receipt of %(reference)s acknowledged.") % {"reference": exchange.reference}
        )
    else:
        messages.info(
            request,
            _("Nothing to acknowledge: %(reference)s holds no open receipt of yours.")
            % {"reference": exchange.reference},
        )
    return redirect(_thread_url(exchange.reference))


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
        messages.success(request, said(submission.result))  # type: ignore[arg-type]
        return redirect(_thread_url(context["exchange"].reference))
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
            messages.success(
                request,
                _("Reply %(reply)s sent in answer to %(parent)s.")
                % {"reply": answer.reference, "parent": parent.reference},
            )
            return redirect(_thread_url(answer.reference) + f"#message-{answer.reference}")
        status = sent.status
    else:
        # The subject is content: it is read (and the read recorded) before it is prefilled.
        try:
            parent_content = exchange_consult(officer=officer, exchange=parent)
        except RestrictionNotConfirmed:
            messages.warning(
                request,
                _("Confirm the restriction of %(reference)s before you answer it.")
                % {"reference": parent.reference},
            )
            return redirect(_thread_url(parent.reference) + f"#message-{parent.reference}")
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
            _("%(reference)s forwarded to %(count)d agencies.")
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
            officer=officer, exchange=exchange, restrictions=form.restrictions()
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
    except RestrictionNotConfirmed:
        messages.warning(
            request,
            _("Confirm the restriction of %(reference)s before you export it.")
            % {"reference": exchange.reference},
        )
        return redirect(_thread_url(exchange.reference))
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


@require_GET
def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    officer = officer_of(request)
    try:
        stored, content = attachment_download(officer=officer, attachment_id=pk)
    except RestrictionNotConfirmed as exc:
        reference = exc.reference
        messages.warning(
            request,
            _("Confirm the restriction of %(reference)s before you open its attachments.")
            % {"reference": reference},
        )
        return redirect(_thread_url(reference) + f"#message-{reference}")
    return download_response(content, content_type=stored.content_type, filename=stored.filename)
