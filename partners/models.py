from __future__ import annotations

import zoneinfo

from django.contrib.auth.models import AbstractUser, Group
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from selec.core.choice_labels import ChoiceLabels


class PartnerAuditEvent(models.TextChoices):
    """The directory's audit events (registered in ``partners.apps``)."""

    PARTY_CREATED = "party.created", _("Party created")
    PARTY_RENAMED = "party.renamed", _("Party renamed")
    PARTY_STATUS_CHANGED = "party.status_changed", _("Party status changed")
    PARTY_STATUS_HISTORY_RECORDED = (
        "party.status_history_recorded",
        _("Party status history recorded"),
    )
    AGENCY_CREATED = "agency.created", _("Agency created")
    AGENCY_UPDATED = "agency.updated", _("Agency updated")
    OFFICER_CREATED = "officer.created", _("Officer account created")
    OFFICER_ASSIGNMENT_CHANGED = "officer.assignment_changed", _("Officer assignment changed")
    OFFICER_PROFILE_UPDATED = "officer.profile_updated", _("Officer profile updated")
    OFFICER_LOGIN_UNLOCKED = "officer.login_unlocked", _("Officer login unlocked")
    ACCESS_CONFIRMATION_REQUESTED = (
        "officer.access_confirmation_requested",
        _("Access confirmation requested"),
    )
    ACCESS_CONFIRMED = "officer.access_confirmed", _("Access confirmed")
    ACCESS_REFUSED = "officer.access_refused", _("Access refused")
    API_TOKEN_ISSUED = "api_token.issued", _("API token issued")
    API_TOKEN_REVOKED = "api_token.revoked", _("API token revoked")
    PARTY_STATUS_PREVIEWED = "party.status_change_previewed", _("Party status change previewed")
    OFFICER_INVITED = "officer.invited", _("Officer invited")
    INVITATION_ACCEPTED = "officer.invitation_accepted", _("Invitation accepted")
    PASSWORD_CHANGED = "officer.password_changed", _("Password changed")
    PASSWORD_RESET_REQUESTED = "officer.password_reset_requested", _("Password reset requested")
    PASSWORD_RESET = "officer.password_reset", _("Password reset")
    SESSION_ENDED = "officer.session_ended", _("Session ended")
    PREFERENCES_CHANGED = "officer.preferences_changed", _("Language or time zone changed")
    BACKUP_CODES_REGENERATED = "officer.backup_codes_regenerated", _("Backup codes regenerated")
    AUTHENTICATOR_RESET_REQUESTED = (
        "officer.authenticator_reset_requested",
        _("Authenticator reset requested"),
    )
    AUTHENTICATOR_RESET_CONFIRMED = (
        "officer.authenticator_reset_confirmed",
        _("Authenticator reset: identity confirmed"),
    )
    AUTHENTICATOR_RESET_REFUSED = (
        "officer.authenticator_reset_refused",
        _("Authenticator reset refused"),
    )
    AUTHENTICATOR_RESET = "officer.authenticator_reset", _("Authenticator reset")
    OFFICER_OFFBOARDED = "officer.offboarded", _("Officer offboarded")
    AGENCY_CLOSED = "agency.closed", _("Agency closed")
    PARTY_OFFBOARDED = "party.offboarded", _("Party offboarded")


class PartnerNotificationKind(models.TextChoices):
    """What officers are notified of about their access (registered in ``partners.apps``)."""

    ACCESS_CONFIRMATION = "access_confirmation", _("Access confirmation")
    AUDIT_CHAIN_BROKEN = "audit_chain_broken", _("Audit log broken")
    PARTY_STATUS_CHANGED = "party_status_changed", _("Party status changed")
    AUTHENTICATOR_RESET = "authenticator_reset", _("Authenticator reset")
    ACCOUNT_CLOSED = "account_closed", _("Account closed")


class PartyKind(models.TextChoices):
    STATE = "state", pgettext_lazy("party kind", "State")
    ORGANISATION = "organisation", _("International organisation")


class PartyStatus(models.TextChoices):
    MEMBER = "member", _("Member state")
    OPERATIONAL_PARTNER = "operational_partner", _("Operational partner")
    OBSERVER = "observer", _("Observer")
    FORMER = "former", _("Former member")


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class Party(ChoiceLabels):
    """A state (ISO 3166 alpha-2 code) or an international organisation (acronym)."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=120)
    # The agreement the party takes part under (a reference, e.g. "Cooperation Agreement of
    # 12 May 2025, Art. 4"), given when it is registered.
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=PartyKind.choices)
    status = models.CharField(_("status"), max_length=24, choices=PartyStatus.choices)
    status_since = models.DateField(_("status since"))
    # What its new officers' pages start with (``partners.party_defaults``); each officer
    # may choose otherwise. Empty language: SELEC's working language.
    language = models.CharField(_("language of its officers' pages"), max_length=8, blank=True)
    time_zone = models.CharField(
        _("time zone of its officers' pages"),
        max_length=64,
        default="Europe/Bucharest",
        validators=[validate_time_zone],
    )
    # The group of the officers of this party's National Focal Point (see services).
    nfp_group = models.OneToOneField(
        Group,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="nfp_party",
        editable=False,
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class PartyStatusChange(models.Model):
    """The history of a party's status: one row per change, the newest is the current one. A
    party may return to an earlier status, even on the same day: every change is kept."""

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="status_history")
    status = models.CharField(_("status"), max_length=24, choices=PartyStatus.choices)
    effective_from = models.DateField(_("effective from"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["party", "-effective_from", "-recorded_at"]

    def __str__(self) -> str:
        return f"{self.party.code}: {self.status} from {self.effective_from}"


class AgencyKind(models.TextChoices):
    POLICE = "police", _("Police")
    CUSTOMS = "customs", _("Customs")
    BORDER = "border", _("Border police")
    PROSECUTION = "prosecution", _("Prosecution")
    OTHER = "other", _("Other")


class Agency(ChoiceLabels):
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="agencies")
    name = models.CharField(_("name"), max_length=160)
    kind = models.CharField(_("kind"), max_length=16, choices=AgencyKind.choices)
    is_national_focal_point = models.BooleanField(_("national focal point"), default=False)
    # When the agency was offboarded (its officers deactivated): what it sent stays, owned by it.
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Every agency has a Django group: object permissions are granted to it, not to people.
    group = models.OneToOneField(
        Group, on_delete=models.PROTECT, related_name="agency", editable=False
    )

    class Meta:
        ordering = ["party__name", "-is_national_focal_point", "name"]
        verbose_name_plural = _("agencies")
        constraints = [
            models.UniqueConstraint(fields=["party", "name"], name="agency_name_unique_per_party"),
            models.UniqueConstraint(
                fields=["party"],
                condition=Q(is_national_focal_point=True),
                name="one_national_focal_point_per_party",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    LIAISON_OFFICER = "liaison_officer", _("Liaison officer")
    NFP_OFFICER = "nfp_officer", _("National focal point officer")
    ANALYST = "analyst", _("Analyst")
    DPO = "dpo", _("Data protection officer")
    DIRECTORY_ADMIN = "directory_admin", _("Directory administrator")


# Roles of the member states' and partners' officers; the others belong to the secretariat.
ROLES_OF_AN_AGENCY = (Role.LIAISON_OFFICER, Role.NFP_OFFICER)


class Posting(models.TextChoices):
    HQ = "hq", _("SELEC headquarters, Bucharest")
    HOME = "home", _("Home country")


class ContentAccess(models.TextChoices):
    """Whether an officer's assignment has been confirmed by their own side (see
    ``AccessConfirmation``): only a confirmed officer of an agency reaches exchange content."""

    CONFIRMED = "confirmed", _("Confirmed")
    PENDING = "pending", _("Awaiting confirmation")
    REFUSED = "refused", _("Refused")


class Officer(AbstractUser, ChoiceLabels):
    """A person who logs in. Liaison and NFP officers belong to an agency; analysts, data
    protection officers and directory admins are SELEC secretariat staff with no agency."""

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="officers"
    )
    role = models.CharField(
        _("role"), max_length=24, choices=Role.choices, default=Role.LIAISON_OFFICER
    )
    posted_at = models.CharField(
        _("posted at"), max_length=8, choices=Posting.choices, default=Posting.HQ
    )
    # Pages show times in this zone (the UTC value on hover); the default is headquarters'.
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Bucharest", validators=[validate_time_zone]
    )
    # The language of the pages (one of settings.LANGUAGES); empty: the installation's.
    language = models.CharField(_("language"), max_length=8, blank=True)
    # An account an administrator creates, moves to another agency, gives another role or
    # reactivates reaches content only once its National Focal Point confirms it: separation
    # of duties, so that no administrator can give itself or anyone else access to content.
    content_access = models.CharField(
        _("access to content"),
        max_length=16,
        choices=ContentAccess.choices,
        default=ContentAccess.PENDING,
    )

    # Django declares AbstractUser.Meta (abstract, the verbose names); the stubs leave it out.
    class Meta(AbstractUser.Meta):  # type: ignore[name-defined]
        swappable = "AUTH_USER_MODEL"
        ordering = ["last_name", "first_name", "username"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(role__in=[r.value for r in ROLES_OF_AN_AGENCY])
                | Q(agency__isnull=False),
                name="agency_officers_have_an_agency",
            ),
            models.CheckConstraint(
                condition=~Q(role="nfp_officer") | Q(posted_at="home"),
                name="nfp_officers_are_posted_at_home",
            ),
        ]

    @property
    def party(self) -> Party | None:
        agency = self.agency if self.agency_id else None
        return agency.party if agency is not None else None

    @property
    def awaits_confirmation(self) -> bool:
        """An officer of an agency whose assignment is not (yet) confirmed: no content."""
        from partners import policy  # policy reads this module's names

        return policy.awaits_confirmation(self.role, self.content_access)


class AccessConfirmationReason(models.TextChoices):
    CREATED = "created", _("Account created")
    MOVED = "moved", _("Moved to another agency")
    ROLE_CHANGED = "role_changed", _("Role changed")
    REACTIVATED = "reactivated", _("Account reactivated")


class AccessConfirmationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    CONFIRMED = "confirmed", _("Confirmed")
    REFUSED = "refused", _("Refused")
    # A later change of the same officer replaced it before anyone decided.
    SUPERSEDED = "superseded", _("Superseded")


class AccessConfirmation(models.Model):
    """A request that an officer's new assignment be confirmed before it reaches content.

    Opened by the service that created, moved, re-roled or reactivated the officer (naming who
    asked); decided by the National Focal Point of the officer's party, or, for a party without
    one, by an officer of the same agency who already has access (``partners.policy``).
    """

    officer = models.ForeignKey(
        "Officer", on_delete=models.PROTECT, related_name="access_confirmations"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    reason = models.CharField(_("reason"), max_length=16, choices=AccessConfirmationReason.choices)
    requested_by = models.ForeignKey(
        "Officer", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AccessConfirmationStatus.choices,
        default=AccessConfirmationStatus.PENDING,
    )
    decided_by = models.ForeignKey(
        "Officer", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["officer"],
                condition=Q(status="pending"),
                name="one_pending_confirmation_per_officer",
            )
        ]
        indexes = [
            models.Index(
                fields=["agency", "-requested_at"],
                condition=Q(status="pending"),
                name="confirmation_pending_by_agency",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()}: officer #{self.officer_id} ({self.status})"


# Separate modules for the account lifecycle's records (this one is long enough); imported here
# so that Django finds the models.
from partners.models_lifecycle import (  # noqa: E402, F401
    AuthenticatorReset,
    Invitation,
    OfficerSession,
)
