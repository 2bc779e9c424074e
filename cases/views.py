"""The case pages: the list of the officer's cases, the case page and its forms.

Each view parses, calls the service that decides and records, and renders. 404 for a case the
officer may not see (as for one that does not exist), 403 with the reason where they may see it
but not act; a refused form is shown again with the service's errors next to its fields, and
nothing is saved.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cases.forms import (
    CaseCreateForm,
    CaseDetailsForm,
    CaseFilterForm,
    InviteForm,
    MeetingForm,
    ResultForm,
    ResultsReportForm,
    SeizureFormSet,
    StatusForm,
    seizure_inputs,
)
from cases.models import Case
from cases.policy import (
    CasePerm,
    ResultsReportAccess,
    case_actions,
    may_open_case,
    results_report_access,
)
from cases.results_exports import (
    charts_json,
    counted_what,
    csv_response,
    xlsx_response,
)
from cases.results_report import ResultsReport
from cases.selectors import (
    CaseFilter,
    agencies_to_invite,
    analysts_to_name,
    case_get_for_officer,
    case_page,
    case_parties,
    cases_page,
    parties_to_invite,
    recordable_parties,
    require_case_perm,
)
from cases.services import (
    case_change_status,
    case_consult,
    case_create,
    case_invite,
    case_update,
)
from cases.services_meetings import meeting_add, meeting_attachment_download
from cases.services_results import result_record, results_report_read
from partners.auth import officer_of
from partners.models import Officer
from selec.core import form_pages
from selec.core.files import download_response
from selec.core.paging import page_at_address
from selec.core.spreadsheets import EXPORT_FORMATS


def _case_url(case: Case) -> str:
    return reverse("cases:detail", kwargs={"reference": case.reference})


def _reason(exc: Exception) -> str:
    return form_pages.refusal_reason(exc, _("You may not do this with this case."))


def _refused(request: HttpRequest, case: Case | None, exc: PermissionDenied) -> HttpResponse:
    return render(
        request, "cases/refused.html", {"case": case, "refusal": _reason(exc)}, status=403
    )


@require_GET
def case_list_view(request: HttpRequest) -> HttpResponse:
    officer = officer_of(request)
    form = CaseFilterForm(request.GET or None)
    query = CaseFilter()
    if form.is_bound and form.is_valid():
        query = CaseFilter(kind=form.cleaned_data["kind"], status=form.cleaned_data["status"])
    page, paging_error = page_at_address(request.GET, partial(cases_page, officer, query))
    return render(
        request,
        "cases/list.html",
        {
            "form": form,
            "cases": page.rows,
            "page": page,
            "paging_error": paging_error,
            # The filters the paging links carry along.
            "kept": urlencode(
                [(k, v) for k, v in (("kind", query.kind), ("status", query.status)) if v]
            ),
            "may_open": _may_open(officer),
            "sees_report": _sees_report(officer),
            "filtered": bool(query.kind or query.status),
        },
    )


def _sees_report(officer: Officer) -> bool:
    party = officer.party
    return results_report_access(
        role=officer.role, party_status=party.status if party is not None else None
    ).sees_report


def _may_open(officer: Officer) -> bool:
    """Whether the page offers "Open a case" (the service decides again when it is used)."""
    agency = officer.agency
    return may_open_case(role=officer.role, party_status=agency.party.status if agency else None)


@require_http_methods(["GET", "POST"])
def case_create_view(request: HttpRequest) -> HttpResponse:
    officer = officer_of(request)
    if not _may_open(officer):
        return _refused(
            request,
            None,
            PermissionDenied(
                _(
                    "Joint investigations and regional operations are opened by officers of "
                    "members and operational partners, and by SELEC analysts."
                )
            ),
        )
    names_lead = officer.agency_id is None
    agencies = [a for a in agencies_to_invite() if a.pk != officer.agency_id]
    form = CaseCreateForm(
        request.POST if request.method == "POST" else None,
        agencies=agencies,
        analysts=[a for a in analysts_to_name() if a.pk != officer.pk],
        names_lead=names_lead,
    )
    opened = form_pages.submit(
        request,
        form,
        lambda: case_create(
            officer=officer,
            kind=form.cleaned_data["kind"],
            status=form.cleaned_data["status"],
            details=form.details(),
            agency_ids=form.cleaned_data["agencies"],
            analyst_ids=form.cleaned_data["analysts"],
            lead_agency_id=form.cleaned_data.get("lead_agency"),
        ),
        {"restriction_text": "restrictions"},
    )
    if opened.refusal:
        return _refused(request, None, opened.refusal)
    if opened.done:
        case = opened.result
        assert case is not None  # done: case_create returned the case
        messages.success(request, _("Case %(reference)s opened.") % {"reference": case.reference})
        return redirect(_case_url(case))
    return render(
        request,
        "cases/create.html",
        {"form": form, "names_lead": names_lead},
        status=opened.status,
    )


@require_GET
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    officer = officer_of(request)
    case = case_get_for_officer(officer, reference=reference)
    perms = case_consult(officer=officer, case=case)
    page = case_page(officer, case, perms)
    return render(
        request,
        "cases/detail.html",
        {
            "page": page,
            "case": case,
            "actions": case_actions(
                perms,
                status=case.status,
                has_agency=officer.agency_id is not None,
                records_for_a_party=bool(page.recordable_parties),
            ),
        },
    )


def _guarded(
    request: HttpRequest, reference: str, perm: CasePerm
) -> tuple[Case, frozenset[CasePerm], HttpResponse | None]:
    """The case (404 unless visible), the officer's permissions on it, and the 403 answer to
    return when they lack ``perm``."""
    officer = officer_of(request)
    case = case_get_for_officer(officer, reference=reference)
    try:
        perms = require_case_perm(officer, case, perm)
    except PermissionDenied as exc:
        return case, frozenset(), _refused(request, case, exc)
    return case, perms, None


def _case_form_page(
    request: HttpRequest,
    case: Case,
    form: forms.Form,
    act: Callable[[], str],
    *,
    title: str,
    intro: str,
    submit: str,
    anchor: str = "",
    multipart: bool = False,
    aliases: dict[str, str] | None = None,
) -> HttpResponse:
    """A form of the case on ``cases/form.html``: on a valid POST, ``act`` calls the service and
    says what was done; the service's refusals go next to the fields, or answer 403."""
    submission = form_pages.submit(request, form, act, aliases)
    if submission.refusal:
        return _refused(request, case, submission.refusal)
    if submission.done:
        said = submission.result
        assert said is not None  # done: ``act`` returned what was done
        messages.success(request, said)
        return redirect(_case_url(case) + anchor)
    return render(
        request,
        "cases/form.html",
        {
            "case": case,
            "form": form,
            "multipart": multipart,
            "title": title,
            "intro": intro,
            "submit": submit,
        },
        status=submission.status,
    )


@require_http_methods(["GET", "POST"])
def case_edit(request: HttpRequest, reference: str) -> HttpResponse:
    case, _perms, refused = _guarded(request, reference, CasePerm.MANAGE)
    if refused:
        return refused
    form = CaseDetailsForm(
        request.POST if request.method == "POST" else None,
        initial=CaseDetailsForm.initial_of(case),
    )

    def save() -> str:
        case_update(officer=officer_of(request), case=case, details=form.details())
        return _("Case %(reference)s saved.") % {"reference": reference}

    return _case_form_page(
        request,
        case,
        form,
        save,
        title=_("Edit %(reference)s") % {"reference": case.reference},
        intro=_(
            "Only the lead party's agencies edit a case. Marking it as carrying personal "
            "data is refused while an observer takes part."
        ),
        submit=_("Save"),
        aliases={"restriction_text": "restrictions"},
    )


@require_http_methods(["GET", "POST"])
def case_status(request: HttpRequest, reference: str) -> HttpResponse:
    case, _perms, refused = _guarded(request, reference, CasePerm.MANAGE)
    if refused:
        return refused
    form = StatusForm(request.POST if request.method == "POST" else None, current=case.status)

    def change() -> str:
        changed = case_change_status(
            officer=officer_of(request), case=case, status=form.cleaned_data["status"]
        )
        return _("%(reference)s is now %(status)s.") % {
            "reference": reference,
            "status": changed.get_status_display().lower(),
        }

    return _case_form_page(
        request,
        case,
        form,
        change,
        title=_("Status of %(reference)s") % {"reference": case.reference},
        intro=_(
            "Planned, active, action day (the coordinated action), closed. A closed case "
            "takes no new exchanges, meetings or results until it is reopened."
        ),
        submit=_("Change status"),
    )


@require_http_methods(["GET", "POST"])
def case_invite_view(request: HttpRequest, reference: str) -> HttpResponse:
    case, _perms, refused = _guarded(request, reference, CasePerm.MANAGE)
    if refused:
        return refused
    form = InviteForm(
        request.POST if request.method == "POST" else None,
        agencies=agencies_to_invite(case),
        parties=parties_to_invite(case),
        analysts=analysts_to_name(case),
    )

    def invite() -> str:
        case_invite(
            officer=officer_of(request),
            case=case,
            agency_ids=form.cleaned_data["agencies"],
            party_ids=form.cleaned_data["parties"],
            analyst_ids=form.cleaned_data["analysts"],
        )
        return _("Invitations to %(reference)s sent.") % {"reference": reference}

    return _case_form_page(
        request,
        case,
        form,
        invite,
        title=_("Invite to %(reference)s") % {"reference": case.reference},
        intro=_(
            "Invited agencies see the case and add meetings and results; their parties' "
            "National Focal Points follow it. Observers only follow it, and only while it "
            "carries no personal data; former members cannot take part."
        ),
        submit=_("Invite"),
    )


@require_http_methods(["GET", "POST"])
def meeting_add_view(request: HttpRequest, reference: str) -> HttpResponse:
    case, _perms, refused = _guarded(request, reference, CasePerm.ADD_MEETING)
    if refused:
        return refused
    parties = case_parties(case)
    form = MeetingForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        parties=parties,
    )

    def add() -> str:
        meeting_add(officer=officer_of(request), case=case, **form.arguments())
        return _("Meeting added to %(reference)s.") % {"reference": reference}

    return _case_form_page(
        request,
        case,
        form,
        add,
        title=_("Operational meeting of %(reference)s") % {"reference": case.reference},
        intro=_(
            "Record a meeting: when and where it was held, which parties attended, what was "
            "decided. Decisions, minutes and attachments are stored encrypted and shown "
            "only to the case's participants."
        ),
        submit=_("Add the meeting"),
        anchor="#meetings",
        multipart=True,
    )


@require_http_methods(["GET", "POST"])
def result_add_view(request: HttpRequest, reference: str) -> HttpResponse:
    case, perms, refused = _guarded(request, reference, CasePerm.RECORD_RESULT)
    if refused:
        return refused
    officer = officer_of(request)
    parties = case_parties(case)
    allowed = recordable_parties(officer, perms, parties)
    if not allowed:
        return _refused(
            request,
            case,
            PermissionDenied(_("Your party reports no results in this case.")),
        )
    bound = request.method == "POST"
    form = ResultForm(
        request.POST if bound else None,
        parties=allowed,
        initial={"reported_on": timezone.localdate()},
    )
    formset = SeizureFormSet(request.POST if bound else None, prefix="seizure")
    status = 200
    if bound:
        status = 400
        form_ok, formset_ok = form.is_valid(), formset.is_valid()
        if form_ok and formset_ok:
            try:
                result_record(
                    officer=officer,
                    case=case,
                    party_id=form.cleaned_data["party"],
                    reported_on=form.cleaned_data["reported_on"],
                    counts=form.counts(),
                    seizures=seizure_inputs(formset),
                )
            except ValidationError as exc:
                errors: dict[str | None, list[str]] = {}
                if hasattr(exc, "error_dict"):
                    errors.update(exc.message_dict)
                else:
                    errors[None] = exc.messages
                # The seizure lines' errors belong above the lines, the rest to the form.
                formset.non_form_errors().extend(errors.pop("seizures", []))
                for key, messages_ in errors.items():
                    form.add_error(key if key in form.fields else None, messages_)
            except PermissionDenied as exc:
                return _refused(request, case, exc)
            else:
                messages.success(
                    request, _("Results recorded in %(reference)s.") % {"reference": reference}
                )
                return redirect(_case_url(case) + "#results")
    return render(
        request,
        "cases/result_form.html",
        {"case": case, "form": form, "formset": formset},
        status=status,
    )


@require_GET
def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    # Reached through the cases the officer sees: one 404 for a missing and a hidden file.
    stored, content = meeting_attachment_download(officer=officer_of(request), attachment_id=pk)
    return download_response(content, content_type=stored.content_type, filename=stored.filename)


# --- The results report ---------------------------------------------------------------------


def _report_access(officer: Officer) -> ResultsReportAccess:
    """The policy's answer for the officer; 404, as for a page that does not exist, to an
    officer who reads no results report."""
    party = officer.party
    access = results_report_access(
        role=officer.role, party_status=party.status if party is not None else None
    )
    if not access.sees_report:
        raise Http404("No results report for this officer.")
    return access


def _report(request: HttpRequest, export_format: str) -> tuple[ResultsReportForm, ResultsReport]:
    officer = officer_of(request)
    access = _report_access(officer)
    form = ResultsReportForm(request.GET or None, groupings=access.groupings)
    report = results_report_read(
        officer=officer, access=access, query=form.query(), export_format=export_format
    )
    return form, report


@require_GET
def results_report_view(request: HttpRequest) -> HttpResponse:
    form, report = _report(request, "html")
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/results_report.html",
        {
            "form": form,
            "report": report,
            "counted_what": counted_what(report),
            "charts": charts_json(report),
            "query_string": query.urlencode(),
        },
    )


@require_GET
def results_report_export(request: HttpRequest, export_format: str) -> HttpResponseBase:
    if export_format not in EXPORT_FORMATS:
        raise Http404("No such export.")
    _form, report = _report(request, export_format)
    if export_format == "csv":
        return csv_response(report)
    return xlsx_response(report)
