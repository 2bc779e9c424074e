"""The erasure page (``records:erasure``): the dry run of one exchange's erasure, the reason and
the confirmation; once erased, the record of the erasure.

For the provider only: anybody else gets 404 (``records.selectors_erasure.require_provider``).
Showing the dry run is audited (a person reads it); the erasure is one service call.

A page that sends the provider here to erase (a data subject request's item) passes its own
address as ``next``: the dry run's Cancel and the record's "back" link lead there, carried
through the form's POST and the redirect after it. Only a local address is followed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from exchanges.models import Exchange
from partners.auth import officer_of
from records.forms_erasure import ErasureForm
from records.policy_erasure import AlreadyErased
from records.selectors_erasure import KEPT, erasure_record, exchange_for_provider
from records.services_erasure import ErasureDone, erasure_preview, exchange_erase
from selec.core.form_pages import apply_service_errors


@require_http_methods(["GET", "POST"])
def erasure(request: HttpRequest, reference: str) -> HttpResponse:
    officer = officer_of(request)
    exchange = exchange_for_provider(officer, reference=reference)
    back = _back(request)
    if exchange.erased_at is not None:
        # Erased already: the record; asked to erase again, a refusal (409) above it.
        refusal = _("%(reference)s was erased already: nothing is left to erase.") % {
            "reference": exchange.reference
        }
        return _erased(
            request, exchange, back=back, refusal=refusal if request.method == "POST" else ""
        )
    form = ErasureForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                done = exchange_erase(
                    officer=officer, exchange=exchange, reason=form.cleaned_data["reason"]
                )
            except AlreadyErased as exc:  # erased by a colleague meanwhile
                return _erased(request, exchange, back=back, refusal=" ".join(exc.messages))
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _said(done))
                record = reverse("records:erasure", kwargs={"reference": exchange.reference})
                return redirect(f"{record}?{urlencode({'next': back})}" if back else record)
    try:
        plan = erasure_preview(officer=officer, exchange=exchange)
    except AlreadyErased as exc:  # erased by a colleague since the page was read
        return _erased(request, exchange, back=back, refusal=" ".join(exc.messages))
    context: dict[str, Any] = {
        "exchange": exchange,
        "plan": plan,
        "kept": KEPT,
        "form": form,
        "back": back,
    }
    return render(request, "records/erasure.html", context, status=status)


def _back(request: HttpRequest) -> str:
    """The page that sent the provider here (``next``, from the address or the form), when it
    is an address of this site; "" otherwise, and the page's own links are used."""
    wanted = (request.POST if request.method == "POST" else request.GET).get("next", "")
    safe = url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return wanted if wanted and safe else ""


def _erased(request: HttpRequest, exchange: Exchange, *, back: str, refusal: str) -> HttpResponse:
    event = erasure_record(exchange.reference)
    removed = event.details.get("removed", {}) if event else {}
    context = {
        "exchange": exchange,
        "event": event,
        # The counts as the record keeps them ({"entity_tokens": 4}), in words.
        "deleted": [(k.replace("_", " "), n) for k, n in removed.get("deleted", {}).items()],
        "emptied": [(k.replace("_", " "), n) for k, n in removed.get("emptied", {}).items()],
        "refusal": refusal,
        "back": back,
    }
    return render(request, "records/erasure_done.html", context, status=409 if refusal else 200)


def _said(done: ErasureDone) -> str:
    plan = done.plan
    replies = len(plan.exchanges) - 1
    told = len(plan.told)
    erased = ngettext(
        "The content of %(reference)s and of %(count)d reply below it is erased.",
        "The content of %(reference)s and of the %(count)d replies below it is erased.",
        replies,
    ) % {"reference": plan.reference, "count": replies}
    if not replies:
        erased = _("The content of %(reference)s is erased.") % {"reference": plan.reference}
    return " ".join(
        [
            erased,
            ngettext(
                "%(count)d agency holding a copy was told, by reference only.",
                "%(count)d agencies holding a copy were told, by reference only.",
                told,
            )
            % {"count": told},
        ]
    )
