"""Pages of the account lifecycle: the lost-authenticator request (from the login page), its
confirmation by the officer's own side, and the pages of directory administrators under
/directory/manage/: resetting an authenticator, offboarding an officer, an agency or a party,
unlocking a login. Every administrator page answers 404 to anyone else."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from partners import selectors_lifecycle as selectors
from partners.auth import directory_admin_or_404, officer_of
from partners.forms_lifecycle import IdentityDecisionForm, LostAuthenticatorForm, ReasonForm
from partners.models import Officer
from partners.services.authenticator_resets import (
    authenticator_reset_carry_out,
    authenticator_reset_decide,
    authenticator_reset_request,
)
from partners.services.offboarding import agency_close, officer_offboard, party_offboard
from partners.services.officers import officer_login_unlock
from selec.core.access import public
from selec.core.form_pages import apply_service_errors
from selec.core.login_throttle import login_wait_seconds
from selec.core.request_context import client_address

REASON_TEMPLATE = "partners/lifecycle/reason_form.html"


# --- The officer who lost their authenticator -----------------------------------------------


@public
@require_http_methods(["GET", "POST"])
def authenticator_lost(request: HttpRequest) -> HttpResponse:
    form = LostAuthenticatorForm(request.POST or None)
    template = "partners/lifecycle/authenticator_lost.html"
    if request.method == "GET":
        return render(request, template, {"form": form})
    if not form.is_valid():
        return render(request, template, {"form": form}, status=400)
    # The login page's slow-down and lockout hold here too: this page checks a password.
    wait = login_wait_seconds(client_address(request))
    if wait:
        response = TemplateResponse(
            request, "selec/login_slowed.html", {"wait_seconds": wait}, status=429
        )
        response["Retry-After"] = str(wait)
        return response
    officer = authenticate(
        request,
        username=form.cleaned_data["username"],
        password=form.cleaned_data["password"],
    )
    if not isinstance(officer, Officer):
        # The same answer for an unknown username, a wrong password and an inactive account.
        form.add_error(None, _("The username and password do not match an active account."))
        return render(request, template, {"form": form}, status=400)
    try:
        reset = authenticator_reset_request(officer=officer)
    except ValidationError as error:
        apply_service_errors(form, error)
        return render(request, template, {"form": form}, status=400)
    return render(request, "partners/lifecycle/authenticator_requested.html", {"reset": reset})


# --- The officer's own side confirms the person's identity -----------------------------------


@require_GET
def reset_confirmations(request: HttpRequest) -> HttpResponse:
    officer = officer_of(request)
    if not selectors.offers_reset_confirmations(officer):
        raise Http404
    return render(
        request,
        "partners/lifecycle/reset_confirmations.html",
        {"pending": selectors.resets_to_confirm(officer), "form": IdentityDecisionForm()},
    )


@require_POST
def reset_decide(request: HttpRequest, pk: int) -> HttpResponse:
    form = IdentityDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Choose to confirm or to refuse; a note has 300 characters at most.")
        )
        return redirect("lifecycle:reset_confirmations")
    reset = authenticator_reset_decide(
        actor=officer_of(request),
        reset_id=pk,
        confirm=form.cleaned_data["decision"] == "confirm",
        note=form.cleaned_data["note"],
    )
    messages.success(
        request,
        # Translators: status is the request's new status, e.g. "confirmed", "refused".
        _("Request of %(username)s: %(status)s.")
        % {"username": reset.officer.username, "status": reset.get_status_display().lower()},
    )
    return redirect("lifecycle:reset_confirmations")


# --- Directory administrators ---------------------------------------------------------------


@require_GET
def admin_resets(request: HttpRequest) -> HttpResponse:
    admin = directory_admin_or_404(request)
    return render(
        request,
        "partners/lifecycle/admin_resets.html",
        {
            "confirmed": selectors.resets_confirmed(),
            "to_confirm": selectors.resets_to_confirm(admin),
            "recent": selectors.resets_recent(),
            "admin": admin,
        },
    )


@require_POST
def admin_reset_carry_out(request: HttpRequest, pk: int) -> HttpResponse:
    admin = directory_admin_or_404(request)
    try:
        reset = authenticator_reset_carry_out(actor=admin, reset_id=pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Authenticator of %(username)s reset: they enrol a new one at their next sign-in.")
            % {"username": reset.officer.username},
        )
    return redirect("lifecycle:admin_resets")


def _reason_page(
    request: HttpRequest, *, act: Any, context: dict[str, Any], done: str
) -> HttpResponse:
    """A page that explains an administrator's act, asks for the reason, then does it."""
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            message = act(form.cleaned_data["reason"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, message)
            return redirect(request.path)
    status = 400 if form.is_bound else 200
    return render(request, REASON_TEMPLATE, {**context, "form": form, "done": done}, status=status)


@require_http_methods(["GET", "POST"])
def officer_offboard_view(request: HttpRequest, pk: int) -> HttpResponse:
    admin = directory_admin_or_404(request)
    officer = selectors.officer_for_admin(pk)

    def act(reason: str) -> str:
        removed = officer_offboard(actor=admin, officer=officer, reason=reason)
        # Translators: counts lists what was removed, e.g. "sessions ended: 1, api tokens revoked: 0".
        return _("%(username)s offboarded (%(counts)s).") % {
            "username": officer.username,
            "counts": _counts(removed),
        }

    return _reason_page(
        request,
        act=act,
        done="" if officer.is_active else _("This account is inactive."),
        context={
            "kind": "officer",
            "title": _("Offboard %(name)s") % {"name": officer.get_full_name() or officer.username},
            "subject": officer,
            "button": _("Offboard this officer"),
        },
    )


@require_http_methods(["GET", "POST"])
def agency_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    admin = directory_admin_or_404(request)
    agency = selectors.agency_for_admin(pk)

    def act(reason: str) -> str:
        count = agency_close(actor=admin, agency=agency, reason=reason)
        return ngettext(
            "%(agency)s closed; %(count)d officer offboarded.",
            "%(agency)s closed; %(count)d officers offboarded.",
            count,
        ) % {"agency": agency.name, "count": count}

    return _reason_page(
        request,
        act=act,
        done=_("This agency is closed.") if agency.closed_at else "",
        context={
            "kind": "agency",
            "title": _("Close %(agency)s") % {"agency": agency.name},
            "subject": agency,
            "active_officers": selectors.active_officers_of(agency_ids=[agency.pk]).count(),
            "button": _("Close this agency"),
        },
    )


@require_http_methods(["GET", "POST"])
def party_offboard_view(request: HttpRequest, code: str) -> HttpResponse:
    admin = directory_admin_or_404(request)
    party = selectors.party_by_code_for_admin(code)

    def act(reason: str) -> str:
        count = party_offboard(actor=admin, party=party, reason=reason)
        return ngettext(
            "%(party)s offboarded; %(count)d officer offboarded.",
            "%(party)s offboarded; %(count)d officers offboarded.",
            count,
        ) % {"party": party.name, "count": count}

    agencies = selectors.agencies_of_party(party)
    return _reason_page(
        request,
        act=act,
        done="" if any(a.closed_at is None for a in agencies) else _("Every agency is closed."),
        context={
            "kind": "party",
            "title": _("Offboard %(name)s") % {"name": party.name},
            "subject": party,
            "agencies": agencies,
            "button": _("Offboard the whole party"),
        },
    )


@require_http_methods(["GET", "POST"])
def officer_unlock_view(request: HttpRequest, pk: int) -> HttpResponse:
    admin = directory_admin_or_404(request)
    officer = selectors.officer_for_admin(pk)

    def act(reason: str) -> str:
        if officer_login_unlock(actor=admin, officer=officer, reason=reason):
            return _("Login of %(username)s unlocked.") % {"username": officer.username}
        return _("%(username)s had no failed logins to clear: nothing changed.") % {
            "username": officer.username
        }

    return _reason_page(
        request,
        act=act,
        done="",
        context={
            "kind": "unlock",
            "title": _("Unlock the login of %(username)s") % {"username": officer.username},
            "subject": officer,
            "failed_logins": selectors.failed_logins_of(officer.username),
            # Translators: button that unlocks an officer's login.
            "button": pgettext("verb", "Unlock"),
        },
    )


# What an offboarding removed, by the name its count has (partners.offboarding).
_REMOVED_LABELS = {
    "sessions_ended": gettext_lazy("sessions ended"),
    "api_tokens_revoked": gettext_lazy("api tokens revoked"),
    "task_force_memberships": gettext_lazy("task force memberships"),
}


def _counts(removed: dict[str, int]) -> str:
    return ", ".join(
        # Translators: one count of an offboarding, e.g. "sessions ended: 1".
        _("%(what)s: %(count)d")
        % {"what": _REMOVED_LABELS.get(name, name.replace("_", " ")), "count": count}
        for name, count in removed.items()
    )
