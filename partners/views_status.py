"""A party's status change, for directory administrators: the form, the preview of what the
change does (computed by the very code that applies it), and the change. Everyone else gets
404 (``partners.policy_status``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from partners.auth import directory_admin_or_404, officer_of
from partners.forms_status import StatusApplyForm, StatusChangeForm, sign_preview, unsign_preview
from partners.models import Party, PartyStatus, PartyStatusChange
from partners.services.party_status import (
    ImpactChanged,
    StatusImpact,
    party_apply_status,
    party_status_preview,
)
from partners.status_sync import AccessImpact

# The history shown under the form: the newest changes.
HISTORY_SHOWN = 20

APP_LABELS = {
    "exchanges": gettext_lazy("Exchanges"),
    "cases": gettext_lazy("Joint investigations and operations"),
    "products": gettext_lazy("Analytical products"),
}


def _party(request: HttpRequest, code: str) -> Party:
    directory_admin_or_404(request)
    return get_object_or_404(Party, code=code)


@require_http_methods(["GET", "POST"])
def party_status(request: HttpRequest, code: str) -> HttpResponse:
    """The form (GET), and its preview (POST): nothing changes until the preview's Apply."""
    party = _party(request, code)
    if request.method == "GET":
        return _form_page(request, party, StatusChangeForm(current_status=party.status))
    form = StatusChangeForm(request.POST, current_status=party.status)
    if not form.is_valid():
        return _form_page(request, party, form, status=400)
    return _preview(request, party, form.cleaned_data, changed=False)


@require_POST
def party_status_apply(request: HttpRequest, code: str) -> HttpResponse:
    party = _party(request, code)
    form = StatusApplyForm(request.POST, current_status=party.status)
    if not form.is_valid():
        # The hidden inputs were tampered with, or the status changed meanwhile: start over.
        return _form_page(request, party, _restarted(form, party), status=400)
    data = form.cleaned_data
    previewed = unsign_preview(data["previewed"])
    if previewed is None:
        return _preview(request, party, data, changed=True)
    try:
        impact = party_apply_status(
            actor=officer_of(request),
            party=party,
            status=data["status"],
            effective_from=data["effective_from"],
            note=data["reason"],
            previewed=previewed,
        )
    except ImpactChanged:
        return _preview(request, party, data, changed=True)
    except ValidationError as error:
        return _form_page(request, party, _restarted(form, party, error), status=400)
    messages.success(
        request,
        _("%(party)s is now %(status)s. %(officers)d officers were notified.")
        % {
            "party": party.name,
            "status": PartyStatus(impact.status).label,
            "officers": impact.officers,
        },
    )
    return redirect("party_status", code=party.code)


def _restarted(
    form: StatusApplyForm, party: Party, error: ValidationError | None = None
) -> StatusChangeForm:
    """The visible form again, with what was typed and the errors found."""
    restarted = StatusChangeForm(form.data, current_status=party.status)
    restarted.is_valid()
    for field, errors in error.message_dict.items() if error else ():
        restarted.add_error(field if field in restarted.fields else None, errors)
    return restarted


def _preview(
    request: HttpRequest, party: Party, data: dict[str, object], *, changed: bool
) -> HttpResponse:
    try:
        impact = party_status_preview(
            actor=officer_of(request),
            party=party,
            status=str(data["status"]),
            effective_from=data["effective_from"],  # type: ignore[arg-type]
        )
    except ValidationError as error:
        form = StatusChangeForm(request.POST, current_status=party.status)
        form.is_valid()
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return _form_page(request, party, form, status=400)
    apply_form = StatusApplyForm(
        current_status=party.status,
        initial={
            "status": data["status"],
            "effective_from": data["effective_from"],
            "reason": data["reason"],
            "previewed": sign_preview(impact.as_details()),
        },
    )
    return render(
        request,
        "partners/status/preview.html",
        {
            "party": party,
            "impact": impact,
            "rows": _rows(impact),
            "new_status": PartyStatus(str(data["status"])).label,
            "effective_from": data["effective_from"],
            "reason": data["reason"],
            "form": apply_form,
            "changed": changed,
        },
    )


def _rows(impact: StatusImpact) -> list[tuple[str, AccessImpact]]:
    return [(str(APP_LABELS.get(a.app, a.app)), a) for a in impact.apps]


def _form_page(
    request: HttpRequest, party: Party, form: StatusChangeForm, status: int = 200
) -> HttpResponse:
    history = PartyStatusChange.objects.filter(party=party)[:HISTORY_SHOWN]
    return render(
        request,
        "partners/status/form.html",
        {"party": party, "form": form, "history": history},
        status=status,
    )
