"""The DPO's pages about one entity (a person, a vehicle, a document...): the form where its
identifiers are typed, and its access report.

What is typed is posted, never put in an address: the form turns it into the entity's
blind-index tokens (``oversight.entities``) and sends the DPO on to the audit search or the
access report with the tokens alone in the link, which name nobody without the key. Browsers
and proxies keep addresses in their histories and logs; they never see the identifier.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from exchanges.forms_entities import EntityForm
from exchanges.models import EntityKind
from hits.forms import chosen_kind, entity_form
from oversight.access import dpo_or_404
from oversight.entities import EntityTokensError, tokens_parse, tokens_text, typed_entity
from oversight.selectors import REPORT_LIMIT
from oversight.services import entity_access_report_read
from partners.auth import officer_of

# Where the form sends the DPO: the audit search narrowed to the entity, or its report.
SHOW_EVENTS = "events"
SHOW_REPORT = "report"
_TARGETS = {SHOW_EVENTS: "oversight:search", SHOW_REPORT: "oversight:entity_report"}


def _show(value: str | None) -> str:
    return value if value in _TARGETS else SHOW_REPORT


def _form_page(
    request: HttpRequest,
    *,
    kind: EntityKind,
    show: str,
    form: EntityForm,
    error: str | None = None,
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "kinds": EntityKind.choices,
        "kind": kind,
        "show": show,
        "entity_form": form,
        "error": error,
    }
    return render(request, "oversight/entity.html", context, status=status)


@require_http_methods(["GET", "POST"])
def entity(request: HttpRequest) -> HttpResponse:
    """The identifiers of one entity: a posted one that identifies leads to the search or the
    report of its tokens; anything else is shown again with what is wrong."""
    dpo_or_404(officer_of(request))
    source = request.POST if request.method == "POST" else request.GET
    kind, show = chosen_kind(source.get("kind")), _show(source.get("show"))
    if request.method == "GET":
        return _form_page(request, kind=kind, show=show, form=entity_form(kind))
    form = entity_form(kind, request.POST)
    if not form.is_valid():
        return _form_page(request, kind=kind, show=show, form=form, status=400)
    try:
        tokens = typed_entity(kind, form.attributes())
    except EntityTokensError as exc:
        form.add_error(None, str(exc))
        return _form_page(request, kind=kind, show=show, form=form, status=400)
    return redirect(reverse(_TARGETS[show]) + "?" + urlencode({"entity": tokens_text(tokens)}))


@require_GET
def entity_report(request: HttpRequest) -> HttpResponse:
    """The access report of the entity whose tokens the link carries (printable)."""
    officer = dpo_or_404(officer_of(request))
    given = request.GET.get("entity", "")
    if not given:
        return redirect(reverse("oversight:entity") + "?" + urlencode({"show": SHOW_REPORT}))
    try:
        tokens = tokens_parse(given)
    except EntityTokensError as exc:
        kind = chosen_kind(None)
        return _form_page(
            request,
            kind=kind,
            show=SHOW_REPORT,
            form=entity_form(kind),
            error=str(exc),
            status=400,
        )
    report = entity_access_report_read(
        officer=officer, tokens=tokens, reason="entity access report (page)"
    )
    context = {
        "report": report,
        "report_limit": REPORT_LIMIT,
        "search_link": reverse("oversight:search")
        + "?"
        + urlencode({"entity": tokens_text(tokens)}),
    }
    return render(request, "oversight/entity_report.html", context)
