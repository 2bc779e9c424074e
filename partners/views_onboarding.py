"""Onboarding pages for directory administrators (a party, its agencies, its officers and their
invitations), and the invitation's own page, where a new officer opens their account.

Every administrator page answers 404 to anyone ``policy_onboarding.onboards`` refuses. A
service's refusal (a second NFP, a taken username, an NFP officer posted at headquarters) is
shown on the form, nothing saved; never a 500.
"""

from __future__ import annotations

import base64
from binascii import unhexlify

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.util import random_hex
from two_factor.utils import get_otpauth_url

from partners import selectors_onboarding
from partners.auth import directory_admin_or_404
from partners.forms_onboarding import AgencyForm, InvitationForm, OfficerForm, PartyForm
from partners.services.directory import agency_create, party_create
from partners.services.invitations import (
    InvitationUnusable,
    invitation_accept,
    invitation_find,
    invitation_send,
    officer_invite_new,
)
from selec.core.access import public
from selec.core.form_pages import apply_service_errors


@require_GET
def parties(request: HttpRequest) -> HttpResponse:
    directory_admin_or_404(request)
    return render(
        request,
        "partners/onboarding/parties.html",
        {"parties": selectors_onboarding.parties_for_onboarding()},
    )


@require_http_methods(["GET", "POST"])
def party_new(request: HttpRequest) -> HttpResponse:
    actor = directory_admin_or_404(request)
    form = PartyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            party = party_create(
                actor=actor,
                code=data["code"],
                name=data["name"],
                kind=data["kind"],
                status=data["status"],
                status_since=data["status_since"],
                legal_basis=data["legal_basis"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(party)s registered. Now register its agencies.") % {"party": party.name},
            )
            return redirect("onboarding:agency_new", code=party.code)
    status = 400 if request.method == "POST" else 200
    return render(request, "partners/onboarding/party_form.html", {"form": form}, status=status)


@require_GET
def party_detail(request: HttpRequest, code: str) -> HttpResponse:
    directory_admin_or_404(request)
    party = selectors_onboarding.party_for_onboarding(code)
    return render(
        request,
        "partners/onboarding/party.html",
        {"party": party, "roster": selectors_onboarding.party_roster(party)},
    )


@require_http_methods(["GET", "POST"])
def agency_new(request: HttpRequest, code: str) -> HttpResponse:
    actor = directory_admin_or_404(request)
    party = selectors_onboarding.party_for_onboarding(code)
    form = AgencyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            agency = agency_create(
                actor=actor,
                party=party,
                name=data["name"],
                kind=data["kind"],
                is_national_focal_point=data["is_national_focal_point"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(agency)s registered for %(party)s.")
                % {"agency": agency.name, "party": party.code},
            )
            return redirect("onboarding:party", code=party.code)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "partners/onboarding/agency_form.html",
        {"form": form, "party": party},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def officer_new(request: HttpRequest, code: str) -> HttpResponse:
    actor = directory_admin_or_404(request)
    party = selectors_onboarding.party_for_onboarding(code)
    agencies = selectors_onboarding.open_agencies_of(party)
    form = OfficerForm(request.POST or None, party=party, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            officer = officer_invite_new(actor=actor, party=party, **data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            # The link went to the officer's mailbox; the administrator never sees it.
            messages.success(
                request,
                _("Account %(username)s created; invitation sent to %(email)s.")
                % {"username": officer.username, "email": officer.email},
            )
            return redirect("onboarding:party", code=party.code)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "partners/onboarding/officer_form.html",
        {
            "form": form,
            "party": party,
            "has_agencies": agencies.exists(),
            "hours": settings.INVITATION_HOURS,
        },
        status=status,
    )


@require_POST
def officer_invite(request: HttpRequest, pk: int) -> HttpResponse:
    actor = directory_admin_or_404(request)
    officer = selectors_onboarding.officer_for_onboarding(pk)
    party = officer.party
    assert party is not None  # an officer of an agency (the selector's filter)
    try:
        invitation_send(actor=actor, officer=officer)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("A new invitation was sent to %(username)s; the previous link no longer works.")
            % {"username": officer.username},
        )
    return redirect("onboarding:party", code=party.code)


# --- The invitation's page: public (the officer has no password yet), found by the link alone.

_KEY_IN_SESSION = "selec-invitation-totp:{}"


@public
@never_cache
@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    try:
        found = invitation_find(token)
    except InvitationUnusable:
        return _invitation_unusable(request)
    # The authenticator's secret lives in the (server-side) session between the page and its
    # form, the way two_factor's enrolment keeps it; it becomes a device only when accepted.
    session_key = _KEY_IN_SESSION.format(found.pk)
    key = request.session.setdefault(session_key, random_hex(20))
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation_accept(
                token=token,
                password=form.cleaned_data["password"],
                totp_key=key,
                totp_code=form.cleaned_data["totp_code"],
            )
        except InvitationUnusable:
            return _invitation_unusable(request)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            request.session.pop(session_key, None)
            messages.success(
                request,
                _(
                    "Your account is ready: sign in with your username, your password and a code "
                    "of your authenticator app."
                ),
            )
            return redirect("two_factor:login")
    secret = base64.b32encode(unhexlify(key)).decode()
    otpauth = get_otpauth_url(
        accountname=found.officer.username, secret=secret, issuer=settings.OTP_TOTP_ISSUER
    )
    svg = qrcode.make(otpauth, image_factory=qrcode.image.svg.SvgPathImage).to_string()
    return render(
        request,
        "partners/invitation.html",
        {
            "form": form,
            "officer": found.officer,
            "secret": secret,
            "qr": "data:image/svg+xml;base64," + base64.b64encode(svg).decode(),
        },
        status=400 if request.method == "POST" else 200,
    )


def _invitation_unusable(request: HttpRequest) -> HttpResponse:
    # The same page whether the link is unknown, expired, used or replaced: a guesser learns
    # nothing, the officer learns what to do.
    return render(request, "partners/invitation_unusable.html", status=410)
