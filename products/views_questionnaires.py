"""The questionnaire pages: drafting one from a threat assessment, the questionnaire page (every
party's answers for the analysts, the answer form for a National Focal Point), its buttons
(send, close, take the answers into the draft), and the NFP's list of open questionnaires.

Each view parses, calls the service that decides and records, and renders. 404 for a
questionnaire the officer may not see, as for one that does not exist; 403 with the reason
where they may see it but not act (an NFP after the deadline, the author of a product that is
no longer a draft).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from partners.auth import officer_of
from partners.models import Officer
from products import policy_questionnaires as policy
from products import services_questionnaires as services
from products.forms_questionnaires import AnswersForm, QuestionnaireForm, UseAnswersForm
from products.models import Product
from products.models_questionnaires import Questionnaire
from products.policy import works_on_products
from products.selectors import product_get_for_officer
from products.selectors_questionnaires import (
    installation_today,
    open_questionnaires_for,
    questionnaire_get_for_officer,
    questionnaire_page,
)
from selec.core import form_pages
from selec.core.policy_values import PolicyError


def _url(questionnaire: Questionnaire) -> str:
    return reverse("products:questionnaire", kwargs={"questionnaire_uuid": questionnaire.uuid})


def _refused(
    request: HttpRequest,
    exc: PermissionDenied | PolicyError,
    *,
    questionnaire: Questionnaire | None = None,
    product: Product | None = None,
    analyst: bool = False,
) -> HttpResponse:
    reason = form_pages.refusal_reason(exc, _("You may not do this with this questionnaire."))
    return render(
        request,
        "products/questionnaire_refused.html",
        {
            "questionnaire": questionnaire,
            "product": product or (questionnaire.product if questionnaire else None),
            "analyst": analyst,
            "refusal": reason,
        },
        status=403,
    )


def _analyst_or_404(request: HttpRequest) -> Officer:
    officer = officer_of(request)
    if not works_on_products(role=officer.role):
        raise Http404("Only analysts write questionnaires.")
    return officer


@require_GET
def questionnaire_list_view(request: HttpRequest) -> HttpResponse:
    """The NFP's open questionnaires."""
    officer = officer_of(request)
    party = officer.agency.party if officer.agency_id and officer.agency else None
    if not policy.answers_questionnaires(
        role=officer.role, party_status=party.status if party else None
    ):
        raise Http404("No questionnaires for this officer.")
    return render(
        request,
        "products/questionnaire_list.html",
        {"rows": open_questionnaires_for(officer), "party": party},
    )


def _form_page(
    request: HttpRequest,
    product: Product,
    form: QuestionnaireForm,
    *,
    questionnaire: Questionnaire | None,
    status: int,
) -> HttpResponse:
    title = (
        _("New questionnaire for %(reference)s") % {"reference": product.reference}
        if questionnaire is None
        else _("Edit the questionnaire for %(reference)s") % {"reference": product.reference}
    )
    return render(
        request,
        "products/questionnaire_form.html",
        {"form": form, "title": title, "product": product, "questionnaire": questionnaire},
        status=status,
    )


def _may_author(officer: Officer, product: Product) -> PolicyError | None:
    """Why the officer may not write this product's questionnaires (None: they may), asked
    before a form is shown; the services ask again."""
    return services.author_refusal(officer, product)


@require_http_methods(["GET", "POST"])
def questionnaire_new(request: HttpRequest, reference: str) -> HttpResponse:
    officer = _analyst_or_404(request)
    product = product_get_for_officer(officer, reference=reference)
    if refusal := _may_author(officer, product):
        return _refused(request, refusal, product=product, analyst=True)
    form = QuestionnaireForm(
        request.POST if request.method == "POST" else None,
        areas=list(product.crime_areas.order_by("position")),
    )
    drafted = form_pages.submit(
        request,
        form,
        lambda: services.questionnaire_draft(
            officer=officer, product=product, details=form.inputs()
        ),
    )
    if drafted.refusal:
        return _refused(request, drafted.refusal, product=product, analyst=True)
    if drafted.done and drafted.result is not None:
        messages.success(request, _("Questionnaire saved as a draft: read it over, then send it."))
        return redirect(_url(drafted.result))
    return _form_page(request, product, form, questionnaire=None, status=drafted.status)


@require_http_methods(["GET", "POST"])
def questionnaire_edit(request: HttpRequest, questionnaire_uuid: uuid.UUID) -> HttpResponse:
    officer = _analyst_or_404(request)
    questionnaire, _seen_as = questionnaire_get_for_officer(
        officer, questionnaire_uuid=questionnaire_uuid
    )
    product = questionnaire.product
    refusal = _may_author(officer, product)
    if refusal is None:
        try:
            policy.check_draft_status(questionnaire.status)
        except PolicyError as exc:
            refusal = exc
    if refusal:
        return _refused(request, refusal, questionnaire=questionnaire, analyst=True)
    form = QuestionnaireForm(
        request.POST if request.method == "POST" else None,
        initial=QuestionnaireForm.initial_of(questionnaire),
        areas=list(product.crime_areas.order_by("position")),
    )
    edited = form_pages.submit(
        request,
        form,
        lambda: services.questionnaire_edit(
            officer=officer, questionnaire=questionnaire, details=form.inputs()
        ),
    )
    if edited.refusal:
        return _refused(request, edited.refusal, questionnaire=questionnaire, analyst=True)
    if edited.done:
        messages.success(request, _("Questionnaire saved."))
        return redirect(_url(questionnaire))
    return _form_page(request, product, form, questionnaire=questionnaire, status=edited.status)


def _answers_form(page: Any, data: Any = None) -> AnswersForm:
    return AnswersForm(
        data,
        questions=[
            (row.question, row.crime_area, row.answers[0].text if row.answers else "")
            for row in page.questions
        ],
    )


@require_http_methods(["GET", "POST"])
def questionnaire_detail(request: HttpRequest, questionnaire_uuid: uuid.UUID) -> HttpResponse:
    """The questionnaire page; an NFP posts their party's answers to it."""
    officer = officer_of(request)
    questionnaire, seen_as = questionnaire_get_for_officer(
        officer, questionnaire_uuid=questionnaire_uuid
    )
    analyst = seen_as == policy.Reader.ANALYST
    if not analyst:
        # After the deadline or once closed, the NFP is told so rather than shown the answers.
        try:
            policy.check_open_for_party(
                status=questionnaire.status,
                deadline=questionnaire.deadline,
                today=installation_today(),
            )
        except PolicyError as exc:
            return _refused(request, exc, questionnaire=questionnaire)
    if request.method == "POST":
        if analyst:
            raise Http404("Analysts do not answer questionnaires.")
        page = questionnaire_page(officer, questionnaire, seen_as)
        form = _answers_form(page, request.POST)
        saved = form_pages.submit(
            request,
            form,
            lambda: services.questionnaire_answer(
                officer=officer, questionnaire=questionnaire, answers=form.answers()
            ),
        )
        if saved.refusal:
            return _refused(request, saved.refusal, questionnaire=questionnaire)
        if saved.done:
            messages.success(
                request,
                _("Your party's answers are saved. You may change them until the deadline.")
                if saved.result
                else _("Nothing changed: your party's answers were already these."),
            )
            return redirect(_url(questionnaire))
        return _page(request, officer, questionnaire, seen_as, status=saved.status, form=form)
    return _page(request, officer, questionnaire, seen_as)


def _page(
    request: HttpRequest,
    officer: Officer,
    questionnaire: Questionnaire,
    seen_as: policy.Reader,
    *,
    status: int = 200,
    form: AnswersForm | None = None,
) -> HttpResponse:
    """The questionnaire page: its reading is audited as a consultation before it is shown."""
    services.questionnaire_read(officer=officer, questionnaire=questionnaire)
    page = questionnaire_page(officer, questionnaire, seen_as)
    product = questionnaire.product
    offers = policy.author_offers(
        role=officer.role,
        officer_id=officer.pk,
        author_id=product.author_id,
        product_kind=product.kind,
        product_status=product.status,
        questionnaire_status=questionnaire.status,
        answered_parties=page.answered_parties,
    )
    context: dict[str, Any] = {
        "page": page,
        "questionnaire": questionnaire,
        "product": product,
        "author": offers.author,
        "may_edit": offers.edits,
        "may_use_answers": offers.uses_answers,
        "form": None if page.analyst else form or _answers_form(page),
    }
    return render(request, "products/questionnaire.html", context, status=status)


def _button(
    request: HttpRequest,
    questionnaire_uuid: uuid.UUID,
    act: Callable[[Officer, Questionnaire], object],
    done: str,
    *,
    to_product: bool = False,
) -> HttpResponse:
    """A button of the questionnaire page: done, or its refusal."""
    officer = _analyst_or_404(request)
    questionnaire, _seen_as = questionnaire_get_for_officer(
        officer, questionnaire_uuid=questionnaire_uuid
    )
    try:
        act(officer, questionnaire)
    except PermissionDenied as exc:
        return _refused(request, exc, questionnaire=questionnaire, analyst=True)
    except ValidationError as exc:
        refusal = PermissionDenied(" ".join(exc.messages))
        return _refused(request, refusal, questionnaire=questionnaire, analyst=True)
    messages.success(request, done)
    if to_product:
        return redirect(
            reverse("products:detail", kwargs={"reference": questionnaire.product.reference})
        )
    return redirect(_url(questionnaire))


@require_POST
def questionnaire_send(request: HttpRequest, questionnaire_uuid: uuid.UUID) -> HttpResponse:
    return _button(
        request,
        questionnaire_uuid,
        lambda officer, questionnaire: services.questionnaire_send(
            officer=officer, questionnaire=questionnaire
        ),
        _("Sent to the National Focal Points of the member states; they are told."),
    )


@require_POST
def questionnaire_close(request: HttpRequest, questionnaire_uuid: uuid.UUID) -> HttpResponse:
    return _button(
        request,
        questionnaire_uuid,
        lambda officer, questionnaire: services.questionnaire_close(
            officer=officer, questionnaire=questionnaire
        ),
        _("Closed: no more answers are taken."),
    )


@require_POST
def questionnaire_into_draft(request: HttpRequest, questionnaire_uuid: uuid.UUID) -> HttpResponse:
    form = UseAnswersForm(request.POST)
    if not form.is_valid():
        raise Http404("No such question.")
    question_id = form.cleaned_data["question"]
    return _button(
        request,
        questionnaire_uuid,
        lambda officer, questionnaire: services.questionnaire_answers_into_draft(
            officer=officer, questionnaire=questionnaire, question_id=question_id
        ),
        _("The answers were added to the draft as sections."),
        to_product=True,
    )
