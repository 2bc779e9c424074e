"""The hits pages: the hits of the officer's agency (an NFP officer's: their country's; an
analyst's: all), one hit, and the hit/no-hit search. Who sees what of a hit is decided in
``hits.selectors``; the search and its audit in ``hits.matching``."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from exchanges.models import EntityKind
from hits.forms import JustificationForm, chosen_kind, entity_form
from hits.matching import hit_search, may_search
from hits.selectors import PAGE_SIZE, hit_get_for_officer, hit_page, is_analyst
from partners.auth import officer_of
from selec.core.paging import parsed_id

ROWS_PER_PAGE = PAGE_SIZE
MAY_NOT_SEARCH = _(
    "Only officers of a party that may hold personal data search for hits: observers and SELEC "
    "secretariat staff may not."
)


def _before(request: HttpRequest) -> int | None:
    # An id that does not parse (or cannot be one) shows the first page.
    return parsed_id(request.GET.get("before", ""))


@require_GET
def hits(request: HttpRequest) -> HttpResponse:
    officer = officer_of(request)
    page = hit_page(officer, before=_before(request), limit=ROWS_PER_PAGE)
    return render(
        request,
        "hits/list.html",
        {
            "page": page,
            "analyst": is_analyst(officer),
            "may_search": may_search(officer),
        },
    )


@require_GET
def hit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    row = hit_get_for_officer(officer_of(request), pk)
    return render(request, "hits/detail.html", {"row": row})


@require_http_methods(["GET", "POST"])
def search(request: HttpRequest) -> HttpResponse:
    officer = officer_of(request)
    if not may_search(officer):
        raise PermissionDenied(MAY_NOT_SEARCH)
    source = request.POST if request.method == "POST" else request.GET
    kind = chosen_kind(source.get("kind"))
    context: dict[str, object] = {"kinds": EntityKind.choices, "kind": kind, "answers": None}
    if request.method == "GET":
        context["form"] = JustificationForm(initial={"kind": kind.value})
        context["entity_form"] = entity_form(kind)
        return render(request, "hits/search.html", context)
    form, entity = JustificationForm(request.POST), entity_form(kind, request.POST)
    context.update(form=form, entity_form=entity)
    # Both validated, so that every error shows at once.
    if not (form.is_valid() & entity.is_valid()):
        return render(request, "hits/search.html", context, status=400)
    try:
        answers = hit_search(
            officer=officer,
            justification=form.cleaned_data["justification"],
            kind=kind,
            attributes=entity.attributes(),
        )
    except ValidationError as exc:
        form.add_error(None, exc.messages)
        return render(request, "hits/search.html", context, status=400)
    context.update(answers=answers, no_hit=not any(answer.hit for answer in answers))
    return render(request, "hits/search.html", context)
