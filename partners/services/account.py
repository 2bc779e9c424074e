"""The officer's own account: password, sessions, preferences, backup codes.

Each write is one transaction with its audit event. A code from the authenticator is checked
before, and outside, that transaction: django-otp records a wrong code on the device (its
throttle against guessing), and the record must stay when the refusal is raised (as in
``partners.api_auth.api_token_issue``). Call these outside any transaction that a
ValidationError would roll back (the account pages run in none).

E-mails go through the outbox (``selec.core.models.OutboxMessage``), written in the transaction
of the event and relayed after commit: a mail server that is down delays them, loses none.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from partners.api_auth import totp_code_accepted
from partners.models import Officer, PartnerAuditEvent, validate_time_zone
from partners.models_lifecycle import OfficerSession
from partners.sessions import django_session_delete, sessions_end
from selec.core.audit import audit_record
from selec.core.durations import humanised_duration
from selec.core.models import AuditAction, OutboxMessage
from selec.core.notifications import in_language_of
from selec.core.tasks import relay_outbox

WRONG_CODE = gettext_lazy("Enter a new code from your authenticator app (each code works once).")
BACKUP_CODES_COUNT = 10
# At most one reset e-mail per officer in this many seconds, however often the form is sent:
# the form is public, and must not let anyone fill an officer's mailbox.
RESET_MAIL_INTERVAL_SECONDS = 300
_TELL_YOUR_NFP = gettext_lazy(
    "If it was not you, tell your National Focal Point at once (SELEC staff: the directory "
    "administrators): someone else knows your password."
)


def password_change(
    *,
    officer: Officer,
    current_password: str,
    new_password: str,
    totp_code: str,
    keep_session_key: str | None,
) -> int:
    """Change the officer's own password, after a fresh code and the current password; every
    other session of theirs ends (whoever knew the old password is signed out). Returns how
    many sessions ended. The caller keeps its own session with ``update_session_auth_hash``."""
    # The code first: a stolen session cannot then test passwords faster than codes.
    if not totp_code_accepted(officer, totp_code):
        raise ValidationError({"totp_code": WRONG_CODE})
    if not officer.check_password(current_password):
        raise ValidationError({"current_password": _("This is not your current password.")})
    validate_password(new_password, officer)
    return _password_set(
        officer=officer,
        new_password=new_password,
        event=PartnerAuditEvent.PASSWORD_CHANGED,
        reason="password changed",
        keep_session_key=keep_session_key,
    )


def password_reset_request(*, email: str) -> None:
    """Mail a reset link to each active officer with this address and a usable password.
    The caller answers the same whether anyone was found: the page must not tell."""
    officers = [
        officer
        for officer in Officer.objects.filter(email__iexact=email.strip(), is_active=True)
        if officer.has_usable_password()
    ]
    for officer in officers:
        _password_reset_mail(officer)


@transaction.atomic
def _password_reset_mail(officer: Officer) -> None:
    now = timezone.now()
    window = int(now.timestamp()) // RESET_MAIL_INTERVAL_SECONDS
    # Django's token: signed with SECRET_KEY over the password hash and the last login, so it
    # is spent once the password changes (or the officer logs in), and expires after
    # PASSWORD_RESET_TIMEOUT.
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(officer.pk)),
            "token": default_token_generator.make_token(officer),
        },
    )
    hours = max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)
    # In the officer's language, not the one of whoever asked.
    with in_language_of(officer):
        queued = _mail_officer(
            officer,
            subject=_("Reset your password"),
            body=(
                # Translators: e-mail body; duration is e.g. "3 days", link is the reset address.
                _(
                    "Someone asked to reset the password of your SELEC Exchange account "
                    "%(username)s. To choose a new password, open this link within "
                    "%(duration)s; it works once:\n\n%(link)s\n\n"
                    "You will still be asked for a code from your authenticator app when you sign in. "
                    "If you did not ask, ignore this message: your password stays as it is."
                )
                % {
                    "username": officer.username,
                    "duration": humanised_duration(dt.timedelta(hours=hours)),
                    "link": f"{settings.SITE_URL}{path}",
                }
            ),
            dedupe_key=f"password_reset:{officer.pk}:{window}",
        )
    if queued:
        audit_record(
            actor=None,
            action=AuditAction.GRANT,
            event=PartnerAuditEvent.PASSWORD_RESET_REQUESTED,
            target=officer,
            reason="password reset link e-mailed",
            details={"officer": officer.username},
        )


def password_reset_complete(*, officer: Officer, new_password: str) -> int:
    """Set the password chosen through a reset link (the view checked the link); every
    session of the officer ends. The next login still asks for the authenticator's code."""
    if not officer.is_active:
        # A link mailed before the account was closed opens nothing.
        raise ValidationError(_("This account is closed."))
    validate_password(new_password, officer)
    return _password_set(
        officer=officer,
        new_password=new_password,
        event=PartnerAuditEvent.PASSWORD_RESET,
        reason="password reset by e-mail link",
        keep_session_key=None,
    )


@transaction.atomic
def _password_set(
    *,
    officer: Officer,
    new_password: str,
    event: PartnerAuditEvent,
    reason: str,
    keep_session_key: str | None,
) -> int:
    now = timezone.now()
    officer.set_password(new_password)
    officer.save(update_fields=["password"])
    others = OfficerSession.objects.filter(officer=officer)
    if keep_session_key:
        others = others.exclude(session_key=keep_session_key)
    ended = sessions_end(others, when=now)
    event_row = audit_record(
        actor=officer if keep_session_key else None,
        action=AuditAction.ALTERATION,
        event=event,
        target=officer,
        reason=reason,
        details={"officer": officer.username, "sessions_ended": ended},
    )
    with in_language_of(officer):
        _mail_officer(
            officer,
            subject=_("Your password was changed"),
            body=(
                # Translators: e-mail body; when is a date and time such as "2026-05-04 13:20".
                _(
                    "The password of your SELEC Exchange account %(username)s was changed on "
                    "%(when)s UTC, and your other sessions were signed out."
                )
                % {"username": officer.username, "when": f"{now:%Y-%m-%d %H:%M}"}
                + f"\n\n{_TELL_YOUR_NFP}"
            ),
            dedupe_key=f"{event}:{event_row.pk}",
        )
    return ended


@transaction.atomic
def officer_session_end(
    *, officer: Officer, session_id: int, current_session_key: str | None
) -> OfficerSession:
    """End one of the officer's own other sessions: its next request is signed out. Another
    officer's session, or one already ended, answers 404 as a missing one does."""
    row = (
        OfficerSession.objects.select_for_update()
        .filter(pk=session_id, officer=officer, ended_at__isnull=True)
        .first()
    )
    if row is None:
        raise Http404(_("No such session."))
    if row.session_key == current_session_key:
        raise ValidationError(_("This is the session you are using: log out instead."))
    django_session_delete(row.session_key)
    row.ended_at = timezone.now()
    row.save(update_fields=["ended_at"])
    audit_record(
        actor=officer,
        action=AuditAction.ALTERATION,
        event=PartnerAuditEvent.SESSION_ENDED,
        target=row,
        reason="session ended by its officer",
        details={"officer": officer.username, "started_at": row.started_at.isoformat()},
    )
    return row


def language_offered(language: str) -> bool:
    """Empty means the installation's default; otherwise one of ``settings.LANGUAGES``."""
    return language == "" or language in dict(settings.LANGUAGES)


@transaction.atomic
def preferences_set(*, officer: Officer, language: str, time_zone: str) -> list[str]:
    """Set the language and time zone of the officer's pages; return the fields changed."""
    if not language_offered(language):
        raise ValidationError({"language": _("This language is not offered.")})
    try:
        validate_time_zone(time_zone)
    except ValidationError as error:
        raise ValidationError({"time_zone": error.messages}) from error
    changes = {
        field: [getattr(officer, field), value]
        for field, value in (("language", language), ("time_zone", time_zone))
        if getattr(officer, field) != value
    }
    if not changes:
        return []
    for field, (_old, value) in changes.items():
        setattr(officer, field, value)
    officer.save(update_fields=list(changes))
    audit_record(
        actor=officer,
        action=AuditAction.ALTERATION,
        event=PartnerAuditEvent.PREFERENCES_CHANGED,
        target=officer,
        reason="language or time zone changed",
        details={"officer": officer.username, **changes},
    )
    return list(changes)


def backup_codes_regenerate(*, officer: Officer, totp_code: str) -> list[str]:
    """Replace the officer's backup codes with new ones, after a fresh code from the
    authenticator; the codes are returned to be shown once. Every earlier code stops working."""
    if not totp_code_accepted(officer, totp_code):
        raise ValidationError({"totp_code": WRONG_CODE})
    return _backup_codes_replace(officer)


@transaction.atomic
def _backup_codes_replace(officer: Officer) -> list[str]:
    # django-two-factor-auth reads the officer's static device, whatever its name.
    device = StaticDevice.objects.select_for_update().filter(user=officer).first()
    if device is None:
        device = StaticDevice.objects.create(user=officer, name="backup")
    StaticToken.objects.filter(device=device).delete()
    codes = [StaticToken.random_token() for _i in range(BACKUP_CODES_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    audit_record(
        actor=officer,
        action=AuditAction.GRANT,
        event=PartnerAuditEvent.BACKUP_CODES_REGENERATED,
        target=officer,
        reason="backup codes regenerated",
        details={"officer": officer.username, "count": len(codes)},
    )
    return codes


def _mail_officer(officer: Officer, *, subject: str, body: str, dedupe_key: str) -> bool:
    """Queue an e-mail to the officer in the outbox, once per ``dedupe_key``; whether it was
    queued now. Runs inside the caller's transaction; relayed after commit."""
    if not officer.email:
        return False
    _row, created = OutboxMessage.objects.get_or_create(
        dedupe_key=dedupe_key,
        defaults={
            "to": officer.email,
            "subject": f"[SELEC Exchange] {subject}",  # the product's name, not translated
            "body": body,
            "created_at": timezone.now(),
        },
    )
    if created:
        relay_outbox.delay_once_on_commit()
    return created
