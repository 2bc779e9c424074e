"""The officer's own security and preferences: password (changed, or reset by an e-mailed
link), sessions, language and time zone, backup codes. Each page under /account/.

The reset pages are Django's auth views, used as intended (its token generator, its check of
the link, the link moved out of the address bar before the form shows), with two changes: the
mail is queued in the outbox by our service, and the new password is set by our service (so
that it is audited, ends every session and tells the officer). They are public: the officer
is not signed in. Nobody is signed in by a reset: the login asks for the password and the
authenticator's code as always.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from partners.auth import officer_of
from partners.forms_account import (
    BackupCodesForm,
    PasswordChangeForm,
    PasswordResetConfirmForm,
    PasswordResetRequestForm,
    PreferencesForm,
)
from partners.models import Officer
from partners.services.account import (
    backup_codes_regenerate,
    officer_session_end,
    password_change,
    password_reset_complete,
    password_reset_request,
    preferences_set,
)
from partners.sessions import open_sessions_of, session_rekeyed
from selec.core.access import public

# An officer has a few sessions; the page lists the most recent this many.
SESSIONS_SHOWN = 50


def _errors_to_form(form: Form, error: ValidationError, default_field: str | None) -> None:
    """A service's refusal shown on the form, by field where it names one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(default_field, error.messages)


@require_http_methods(["GET", "POST"])
def password_change_view(request: HttpRequest) -> HttpResponse:
    officer = officer_of(request)
    form = PasswordChangeForm(officer, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            ended = password_change(
                officer=officer,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password1"],
                totp_code=form.cleaned_data["totp_code"],
                keep_session_key=request.session.session_key,
            )
        except ValidationError as error:
            _errors_to_form(form, error, "new_password2")
        else:
            # This session stays signed in with the new password (under a new key, which its
            # record follows); the others ended.
            old_key = request.session.session_key
            update_session_auth_hash(request, officer)
            session_rekeyed(old_key, request.session.session_key)
            messages.success(
                request,
                ngettext(
                    "Your password was changed; %(count)d other session signed out. "
                    "An e-mail tells you so.",
                    "Your password was changed; %(count)d other sessions signed out. "
                    "An e-mail tells you so.",
                    ended,
                )
                % {"count": ended},
            )
            return redirect("account")
    status = 400 if form.is_bound else 200
    return render(request, "partners/account_password.html", {"form": form}, status=status)


@require_GET
def sessions_view(request: HttpRequest) -> HttpResponse:
    officer = officer_of(request)
    return render(
        request,
        "partners/account_sessions.html",
        {
            "sessions": list(open_sessions_of(officer, limit=SESSIONS_SHOWN)),
            "current_key": request.session.session_key,
        },
    )


@require_POST
def session_end_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        officer_session_end(
            officer=officer_of(request),
            session_id=pk,
            current_session_key=request.session.session_key,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The session was ended: it is signed out."))
    return redirect("account_sessions")


@require_http_methods(["GET", "POST"])
def preferences_view(request: HttpRequest) -> HttpResponse:
    officer = officer_of(request)
    initial = {"language": officer.language, "time_zone": officer.time_zone}
    if request.method != "POST":
        return _preferences_page(request, PreferencesForm(initial=initial))
    form = PreferencesForm(request.POST, initial=initial)
    if not form.is_valid():
        return _preferences_page(request, form, status=400)
    try:
        preferences_set(
            officer=officer,
            language=form.cleaned_data["language"],
            time_zone=form.cleaned_data["time_zone"],
        )
    except ValidationError as error:
        _errors_to_form(form, error, None)
        return _preferences_page(request, form, status=400)
    # Said in the language just chosen (empty: the installation's).
    with translation.override(form.cleaned_data["language"] or settings.LANGUAGE_CODE):
        messages.success(request, _("Your language and time zone were saved."))
    return redirect("account")


def _preferences_page(
    request: HttpRequest, form: PreferencesForm, status: int = 200
) -> HttpResponse:
    return render(request, "partners/account_preferences.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def backup_codes_view(request: HttpRequest) -> HttpResponse:
    officer = officer_of(request)
    form = BackupCodesForm(request.POST if request.method == "POST" else None)
    codes: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            codes = backup_codes_regenerate(
                officer=officer, totp_code=form.cleaned_data["totp_code"]
            )
        except ValidationError as error:
            _errors_to_form(form, error, "totp_code")
    status = 400 if form.is_bound and not codes else 200
    # The codes are in this response only (never stored in the session, never shown again);
    # pages are not cached (selec.core.cache_control).
    return render(
        request,
        "partners/account_backup_codes.html",
        {"form": BackupCodesForm() if codes else form, "codes": codes},
        status=status,
    )


# --- Reset by e-mail link (public pages) ---------------------------------------------------


@public
@require_http_methods(["GET", "POST"])
def password_reset_view(request: HttpRequest) -> HttpResponse:
    form = PasswordResetRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        password_reset_request(email=form.cleaned_data["email"])
        # The same answer whether the address belongs to anyone.
        return redirect("password_reset_done")
    status = 400 if form.is_bound else 200
    return render(request, "registration/password_reset_form.html", {"form": form}, status=status)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    selec_public = True  # selec.core.access: reached before signing in
    template_name = "registration/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's check of the link (signature, expiry, the password and last login it was made
    for: spent once used); the password set by our service."""

    selec_public = True
    form_class = PasswordResetConfirmForm
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")
    post_reset_login = False

    def form_valid(self, form: Any) -> HttpResponse:
        user: Officer = self.user
        try:
            password_reset_complete(officer=user, new_password=form.cleaned_data["new_password1"])
        except ValidationError as error:
            _errors_to_form(form, error, "new_password2")
            return self.form_invalid(form)
        # What Django's own form_valid does after saving: forget the link kept in the session.
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        return redirect(self.success_url)


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    selec_public = True
    template_name = "registration/password_reset_complete.html"


password_reset_done_view = PasswordResetDoneView.as_view()
password_reset_confirm_view = PasswordResetConfirmView.as_view()
password_reset_complete_view = PasswordResetCompleteView.as_view()
