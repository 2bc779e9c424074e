"""The thread of an exchange: the page, the purpose of the consultation, the confirmation of an
H3 text, the acknowledgement and attachment downloads (the actions that take a form are in
``exchanges.views.thread_actions``).

Each view parses, calls the service that decides and records, and renders. What the thread
page shows comes from selectors in a fixed number of queries; the content of a message only
from ``exchange_consult`` (which audits the read). The message the URL names opens with the
page; the other messages of the thread open as they scroll into view (htmx), each through its
own audited consultation, so that the page costs the same whatever the length of the thread.

Before any content the officer says why they open the thread (once per thread), then confirms
an H3 text (once per exchange): each gate takes the place of the content until it is passed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from exchanges.entity_schema import NAMES, SCHEMA_OF
from exchanges.forms_thread import PurposeForm
from exchanges.message_actions import MessageFacts, OfferedAction, offered_actions
from exchanges.models import (
    DisseminationRequest,
    DisseminationStatus,
    Entity,
    Exchange,
    ExchangeKind,
    Recipient,
)
from exchanges.policy import Perm
from exchanges.policy_offers import Offer, ask_provider_offer, evidence_offer, forward_offer
from exchanges.selectors import exchange_get_for_officer, officer_perms_by_exchange
from exchanges.selectors_thread import thread_messages
from exchanges.services.consultation import (
    ExchangeContent,
    PurposeRequired,
    RestrictionNotConfirmed,
    attachment_download,
    exchange_consult,
)
from exchanges.services.on_receipt import (
    acknowledges_for,
    exchange_acknowledge,
    exchange_confirm_restrictions,
)
from exchanges.services.purposes import purpose_give
from partners.auth import officer_of
from partners.models import Officer
from selec.core.files import download_response
from selec.core.form_pages import apply_service_errors
from selec.core.templatetags.selec_tags import HANDLING_MEANINGS


def thread_url(reference: str) -> str:
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
    # Content: opened (``content``), held back until the officer says why they open the thread
    # (the form here, or on another message of the page) or confirms an H3 text, or left to
    # load lazily. An erased message has none to load.
    content: ExchangeContent | None = None
    purpose_form: PurposeForm | None = None
    purpose_elsewhere: bool = False
    gated: bool = False
    # Each entity's kind and attributes: label, value, whether the value is a name.
    entities: list[tuple[str, list[tuple[str, str, bool]]]] = field(default_factory=list)
    # What the officer may do, decided from the permissions the selectors read. An offer is
    # drawn live, or disabled with the policy's reason (``exchanges.policy_offers``); None: the
    # action is not drawn at all.
    can_acknowledge: bool = False
    forward: Offer | None = None
    evidence: Offer | None = None
    ask_provider: Offer | None = None
    pending_requests: list[DisseminationRequest] = field(default_factory=list)
    own_requests: list[DisseminationRequest] = field(default_factory=list)
    # The actions the apps above exchanges offer (``exchanges.message_actions``).
    more_actions: list[OfferedAction] = field(default_factory=list)

    @property
    def lazy(self) -> bool:
        return (
            self.content is None
            and self.purpose_form is None
            and not self.purpose_elsewhere
            and not self.gated
            and self.exchange.erased_at is None
        )

    @property
    def handling(self) -> list[tuple[str, str]]:
        return [(code, str(HANDLING_MEANINGS[code])) for code in self.exchange.handling_codes]

    @property
    def can_reply(self) -> bool:
        return Perm.REPLY in self.perms

    @property
    def can_forward(self) -> bool:
        return self.forward is not None and self.forward.allowed

    @property
    def can_request_dissemination(self) -> bool:
        return self.ask_provider is not None and self.ask_provider.allowed

    @property
    def can_manage(self) -> bool:
        return Perm.MANAGE in self.perms

    @property
    def can_export(self) -> bool:
        return self.evidence is not None and self.evidence.allowed

    @property
    def has_actions(self) -> bool:
        """Whether the actions bar has anything to draw, live or disabled."""
        return any(
            (
                self.can_acknowledge,
                self.can_reply,
                self.forward,
                self.ask_provider,
                self.can_manage,
                self.evidence,
                self.more_actions,
            )
        )


def _attribute_label(kind: str, key: str) -> str:
    """The attribute's label as the entity's form names it (translated); its key otherwise."""
    schema = SCHEMA_OF.get(kind)
    for attribute in schema.attributes if schema else ():
        if attribute.name == key:
            return str(attribute.label)
    return key.replace("_", " ").capitalize()


def _attribute_value(value: object) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


def _entity_rows(entities: list[Entity]) -> list[tuple[str, list[tuple[str, str, bool]]]]:
    """Each entity's kind and its attributes: label, value, and whether the value is a name
    (shown with a transliteration for a reader of another script)."""
    return [
        (
            str(entity.get_kind_display()),
            [
                (_attribute_label(entity.kind, k), _attribute_value(v), (entity.kind, k) in NAMES)
                for k, v in entity.attributes.items()
            ],
        )
        for entity in entities
    ]


def _open(
    officer: Officer,
    view: MessageView,
    purpose_form: PurposeForm | None = None,
    *,
    known_perms: frozenset[Perm] | None = None,
) -> None:
    """Open a message's content through the audited consultation, or hold it back behind the
    purpose of the consultation (``purpose_form``: the one posted, with its errors) or its H3.
    ``known_perms``: the officer's permissions on it as the thread's reading found them."""
    try:
        view.content = exchange_consult(
            officer=officer, exchange=view.exchange, known_perms=known_perms
        )
    except PurposeRequired:
        view.purpose_form = purpose_form or PurposeForm(exchange=view.exchange)
        return
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
        erased = message.erased_at is not None
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
                forward=forward_offer(message_perms, erased=erased),
                evidence=evidence_offer(message_perms, erased=erased),
                ask_provider=ask_provider_offer(message_perms, erased=erased),
                pending_requests=[
                    r
                    for r in requests
                    if Perm.MANAGE in message_perms and r.status == DisseminationStatus.PENDING
                ],
                own_requests=[r for r in requests if r.requesting_agency_id == officer.agency_id],
                more_actions=offered_actions(
                    MessageFacts(
                        perms=message_perms,
                        officer_agency_id=officer.agency_id,
                        sender_agency_id=message.sender_agency_id,
                        erased=erased,
                    ),
                    message.reference,
                ),
            )
        )
    return views


def _render_thread(
    request: HttpRequest,
    exchange: Exchange,
    *,
    purpose_form: PurposeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    officer = officer_of(request)
    views = _message_views(officer, exchange)
    focused = next(v for v in views if v.focused)
    _open(officer, focused, purpose_form, known_perms=focused.perms)
    if focused.purpose_form is not None:
        # One purpose per thread: asked once, in the message the address names; the others
        # point to it rather than each loading the same question.
        for view in views:
            view.purpose_elsewhere = not view.focused
    root = views[0].exchange if views else exchange
    return render(
        request,
        "exchanges/thread.html",
        {"exchange": exchange, "root": root, "thread_items": views, "focused": focused},
        status=status,
    )


@require_GET
def thread(request: HttpRequest, reference: str) -> HttpResponse:
    officer = officer_of(request)
    exchange = exchange_get_for_officer(officer, reference=reference)
    # request.htmx: set by django-htmx's middleware; HttpRequest does not declare it.
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
    return redirect(thread_url(exchange.reference) + f"#message-{exchange.reference}")


@require_POST
def purpose(request: HttpRequest, reference: str) -> HttpResponse:
    """The officer says why they open the thread; its content opens (after an H3 text, if the
    message has one). A purpose refused shows the page again with the error, no content."""
    officer = officer_of(request)
    exchange = exchange_get_for_officer(officer, reference=reference)
    form = PurposeForm(request.POST, exchange=exchange)
    if form.is_valid():
        try:
            purpose_give(officer=officer, exchange=exchange, purpose=form.cleaned_data["purpose"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Your purpose is recorded for the thread of %(reference)s.")
                % {"reference": exchange.reference},
            )
            return redirect(thread_url(exchange.reference) + f"#message-{exchange.reference}")
    return _render_thread(request, exchange, purpose_form=form, status=400)


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
    return redirect(thread_url(exchange.reference))


@require_GET
def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    officer = officer_of(request)
    try:
        stored, content = attachment_download(officer=officer, attachment_id=pk)
    except PurposeRequired as exc:
        reference = exc.reference
        messages.warning(
            request,
            _("Say why you open the thread of %(reference)s before you open its attachments.")
            % {"reference": reference},
        )
        return redirect(thread_url(reference) + f"#message-{reference}")
    except RestrictionNotConfirmed as exc:
        reference = exc.reference
        messages.warning(
            request,
            _("Confirm the restriction of %(reference)s before you open its attachments.")
            % {"reference": reference},
        )
        return redirect(thread_url(reference) + f"#message-{reference}")
    return download_response(content, content_type=stored.content_type, filename=stored.filename)
