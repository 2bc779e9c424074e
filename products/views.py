"""The analytical products' pages: the list, drafting, the product page with its forms
(sections, figures, review, withdrawal, revision) and its PDF and XLSX.

Each view parses, calls the service that decides and records, and renders. 404 for a product
the officer may not see (a draft for anyone but the analysts, a product not published to
them), as for one that does not exist; 403 with the reason where they may see it but not act.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from analytics.exports import chart_json
from partners.auth import officer_of
from partners.models import Officer
from products import services
from products.exports import FORMATS, pdf_response, xlsx_response
from products.forms import (
    FigureForm,
    NoteForm,
    ProductDetailsForm,
    ProductDraftForm,
    SectionForm,
    WithdrawForm,
)
from products.models import Product
from products.policy import page_offers, reads_products, works_on_products
from products.selectors import (
    audience_choices,
    cases_for_analysis,
    product_get_for_officer,
    product_list,
    product_page,
)
from products.selectors_questionnaires import questionnaires_block
from selec.core import form_pages

_ALIASES = {"restriction_text": "restrictions"}


def _url(product: Product) -> str:
    return reverse("products:detail", kwargs={"reference": product.reference})


def _refused(request: HttpRequest, product: Product | None, exc: PermissionDenied) -> HttpResponse:
    reason = form_pages.refusal_reason(exc, _("You may not do this with this product."))
    return render(
        request, "products/refused.html", {"product": product, "refusal": reason}, status=403
    )


def _reader_or_404(request: HttpRequest) -> Officer:
    officer = officer_of(request)
    if not reads_products(role=officer.role, has_agency=officer.agency_id is not None):
        raise Http404("No analytical products for this officer.")
    return officer


def _analyst_or_404(request: HttpRequest) -> Officer:
    officer = officer_of(request)
    if not works_on_products(role=officer.role):
        raise Http404("Only analysts draft analytical products.")
    return officer


@require_GET
def product_list_view(request: HttpRequest) -> HttpResponse:
    officer = _reader_or_404(request)
    return render(
        request,
        "products/list.html",
        {"products": product_list(officer), "may_draft": works_on_products(role=officer.role)},
    )


@require_http_methods(["GET", "POST"])
def product_draft_view(request: HttpRequest) -> HttpResponse:
    officer = _analyst_or_404(request)
    form = ProductDraftForm(
        request.POST if request.method == "POST" else None,
        agencies=audience_choices(),
        cases=cases_for_analysis(officer),
    )
    drafted = form_pages.submit(
        request,
        form,
        lambda: services.product_draft(
            officer=officer,
            kind=form.cleaned_data["kind"],
            details=form.details(),
            case=form.cleaned_data["case"],
        ),
        _ALIASES,
    )
    if drafted.refusal:
        return _refused(request, None, drafted.refusal)
    if drafted.done and drafted.result is not None:
        messages.success(
            request, _("Draft %(reference)s saved.") % {"reference": drafted.result.reference}
        )
        return redirect(_url(drafted.result))
    return render(
        request,
        "products/form.html",
        {"form": form, "title": _("New analytical product"), "product": None},
        status=drafted.status,
    )


def _detail(
    request: HttpRequest,
    officer: Officer,
    product: Product,
    *,
    status: int = 200,
    **bound: forms.Form,
) -> HttpResponse:
    """The product page: its reading is audited as a consultation before it is shown."""
    services.product_read(officer=officer, product=product)
    page = product_page(officer, product)
    offers = page_offers(
        status=product.status,
        author_id=product.author_id,
        officer_id=officer.pk,
        role=officer.role,
    )
    context: dict[str, Any] = {
        "page": page,
        "product": product,
        "draft_by_me": offers.edits,
        "reviews": offers.reviews,
        "may_withdraw": offers.withdraws,
        "charts": [
            (f"figure-{i}", chart_json(f.table)) for i, f in enumerate(page.figures, start=1)
        ],
        "section_form": bound.get("section_form") or SectionForm(prefix="section"),
        "figure_form": bound.get("figure_form") or FigureForm(prefix="figure"),
        "note_form": bound.get("note_form") or NoteForm(prefix="review"),
        "withdraw_form": bound.get("withdraw_form") or WithdrawForm(prefix="withdraw"),
        "questionnaires": questionnaires_block(officer, product),
    }
    return render(request, "products/detail.html", context, status=status)


@require_GET
def product_detail(request: HttpRequest, reference: str) -> HttpResponse:
    officer = _reader_or_404(request)
    product = product_get_for_officer(officer, reference=reference)
    return _detail(request, officer, product)


@require_http_methods(["GET", "POST"])
def product_edit_view(request: HttpRequest, reference: str) -> HttpResponse:
    officer = _analyst_or_404(request)
    product = product_get_for_officer(officer, reference=reference)
    form = ProductDetailsForm(
        request.POST if request.method == "POST" else None,
        initial=ProductDetailsForm.initial_of(product),
        agencies=audience_choices(),
    )
    edited = form_pages.submit(
        request,
        form,
        lambda: services.product_edit(officer=officer, product=product, details=form.details()),
        _ALIASES,
    )
    if edited.refusal:
        return _refused(request, product, edited.refusal)
    if edited.done:
        messages.success(request, _("Draft saved."))
        return redirect(_url(product))
    return render(
        request,
        "products/form.html",
        {
            "form": form,
            "title": _("Edit %(reference)s") % {"reference": reference},
            "product": product,
        },
        status=edited.status,
    )


def _form_action(
    request: HttpRequest,
    reference: str,
    form_class: type[forms.Form],
    prefix: str,
    act: Callable[[Officer, Product, dict[str, Any]], object],
    done: str,
) -> HttpResponse:
    """A form of the product page posted: done, the page again with the errors, or 403."""
    officer = _analyst_or_404(request)
    product = product_get_for_officer(officer, reference=reference)
    form = form_class(request.POST, prefix=prefix)
    result = form_pages.submit(request, form, lambda: act(officer, product, form.cleaned_data))
    if result.refusal:
        return _refused(request, product, result.refusal)
    if result.done:
        messages.success(request, done)
        return redirect(_url(product))
    product.refresh_from_db()
    return _detail(request, officer, product, status=result.status, **{f"{prefix}_form": form})


@require_POST
def section_add(request: HttpRequest, reference: str) -> HttpResponse:
    return _form_action(
        request,
        reference,
        SectionForm,
        "section",
        lambda officer, product, data: services.product_section_save(
            officer=officer, product=product, heading=data["heading"], body=data["body"]
        ),
        _("Section added."),
    )


@require_POST
def figure_add(request: HttpRequest, reference: str) -> HttpResponse:
    return _form_action(
        request,
        reference,
        FigureForm,
        "figure",
        lambda officer, product, data: services.product_figure_add(
            officer=officer,
            product=product,
            table=data["table"],
            first_year=data["first_year"],
            last_year=data["last_year"],
            grouping=data["grouping"],
            series=data["series"],
            caption=data["caption"],
        ),
        _("Figure added."),
    )


@require_POST
def product_return_view(request: HttpRequest, reference: str) -> HttpResponse:
    return _form_action(
        request,
        reference,
        NoteForm,
        "review",
        lambda officer, product, data: services.product_return(
            officer=officer, product=product, note=data["note"]
        ),
        _("Returned to its author."),
    )


@require_POST
def product_withdraw_view(request: HttpRequest, reference: str) -> HttpResponse:
    return _form_action(
        request,
        reference,
        WithdrawForm,
        "withdraw",
        lambda officer, product, data: services.product_withdraw(
            officer=officer, product=product, reason=data["reason"]
        ),
        _("Withdrawn; its readers are told."),
    )


def _button(
    request: HttpRequest,
    reference: str,
    act: Callable[[Officer, Product], Product | None],
    done: str,
) -> HttpResponse:
    """A button of the product page (no input): done, or its refusal."""
    officer = _analyst_or_404(request)
    product = product_get_for_officer(officer, reference=reference)
    try:
        result = act(officer, product)
    except PermissionDenied as exc:
        return _refused(request, product, exc)
    except ValidationError as exc:
        return _refused(request, product, PermissionDenied(" ".join(exc.messages)))
    messages.success(request, done)
    return redirect(_url(result or product))


# The page's buttons without input: the service each runs, what the analyst is told after.
_STEPS: dict[str, tuple[Callable[..., Product], str]] = {
    "submit": (services.product_submit, gettext_noop("Submitted for review.")),
    "publish": (services.product_publish, gettext_noop("Published; its readers are told.")),
    "revise": (
        services.product_revise,
        gettext_noop("Revision drafted: once published, it supersedes the product."),
    ),
}


@require_POST
def product_step(request: HttpRequest, reference: str, step: str) -> HttpResponse:
    """Submit, publish or revise (the URL names the step; ``products.urls``)."""
    service, done = _STEPS[step]
    return _button(
        request,
        reference,
        lambda officer, product: service(officer=officer, product=product),
        _(done),
    )


@require_POST
def section_remove(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    return _button(
        request,
        reference,
        lambda officer, product: services.product_section_remove(
            officer=officer, product=product, section_id=pk
        ),
        _("Section removed."),
    )


@require_POST
def figure_remove(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    return _button(
        request,
        reference,
        lambda officer, product: services.product_figure_remove(
            officer=officer, product=product, figure_id=pk
        ),
        _("Figure removed."),
    )


@require_GET
def product_export(request: HttpRequest, reference: str, export_format: str) -> HttpResponse:
    """The product as PDF, or its figures' tables as XLSX; audited as an export."""
    officer = _reader_or_404(request)
    product = product_get_for_officer(officer, reference=reference)
    page = product_page(officer, product)
    if export_format not in FORMATS or not page.content:
        raise Http404("No such export.")
    if export_format == "xlsx" and not page.figures:
        raise Http404("This product has no figures.")
    services.product_read(officer=officer, product=product, export_format=export_format)
    if export_format == "pdf":
        return pdf_response(page)
    return xlsx_response(page)
