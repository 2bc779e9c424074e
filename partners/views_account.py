"""The officer's own account: their assignment and whether it is confirmed, their API tokens;
and, for the officers who decide them, the access confirmations of their party. The password,
sessions, preferences and backup codes have their own pages (``partners.views_security``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from partners import selectors
from partners.api_auth import api_token_issue, api_token_revoke
from partners.auth import officer_of
from partners.forms_account import AccessDecisionForm, ApiTokenIssueForm
from partners.selectors import api_token_of, api_tokens_of
from partners.services.access_confirmations import officer_access_decide

# An officer has a handful of tokens; the page lists the newest this many.
TOKENS_SHOWN = 50


@require_GET
def account(request: HttpRequest) -> HttpResponse:
    return _account_page(request, ApiTokenIssueForm())


def _account_page(request: HttpRequest, form: ApiTokenIssueForm, status: int = 200) -> HttpResponse:
    # The signed-in officer comes with agency and party (partners.auth): all the page reads.
    officer = officer_of(request)
    now = timezone.now()
    tokens = [(token, token.state_at(now)) for token in api_tokens_of(officer, limit=TOKENS_SHOWN)]
    return render(
        request,
        "partners/account.html",
        {
            "officer": officer,
            "confirmations": selectors.confirmations_of(officer),
            "tokens": tokens,
            "form": form,
        },
        status=status,
    )


@require_POST
def api_token_issue_view(request: HttpRequest) -> HttpResponse:
    form = ApiTokenIssueForm(request.POST)
    if not form.is_valid():
        return _account_page(request, form, status=400)
    try:
        token, plain = api_token_issue(
            officer=officer_of(request),
            totp_code=form.cleaned_data["totp_code"],
            days=form.cleaned_data["days"],
        )
    except ValidationError as error:
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return _account_page(request, form, status=400)
    # Kept in the session (server side), shown once on the next page, never in a cookie.
    messages.warning(
        request,
        # Translators: prefix is the token's first characters, token the whole token.
        _("Your new API token %(prefix)s…: %(token)s — copy it now, it will not be shown again.")
        % {"prefix": token.prefix, "token": plain},
    )
    return redirect("account")


@require_POST
def api_token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    officer = officer_of(request)
    token = api_token_of(officer, pk)
    api_token_revoke(actor=officer, token=token)
    messages.success(request, _("Token %(prefix)s… revoked.") % {"prefix": token.prefix})
    return redirect("account")


@require_GET
def access_confirmations(request: HttpRequest) -> HttpResponse:
    # With agency and party (partners.auth), all that the deciding reads.
    officer = officer_of(request)
    return render(
        request,
        "partners/access_confirmations.html",
        {
            "pending": selectors.confirmations_to_decide(officer),
            "decided": selectors.confirmations_decided_by(officer),
        },
    )


@require_POST
def access_confirmation_decide(request: HttpRequest, pk: int) -> HttpResponse:
    form = AccessDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to confirm or to refuse."))
        return redirect("access_confirmations")
    try:
        confirmation = officer_access_decide(
            actor=officer_of(request),
            confirmation_id=pk,
            confirm=form.cleaned_data["decision"] == "confirm",
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("access_confirmations")
    messages.success(
        request,
        # Translators: status is the decision, e.g. "confirmed" or "refused".
        _("Access of %(username)s %(status)s.")
        % {
            "username": confirmation.officer.username,
            "status": confirmation.get_status_display().lower(),
        },
    )
    return redirect("access_confirmations")
