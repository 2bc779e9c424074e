"""Who hears that they take part in a case: the officers of the agencies that join it, the NFP
officers of the parties that join it and the analysts it names. Titles carry the reference,
the kind and the lead party only, never the case's name or description."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from cases.models import Case, CaseNotificationKind
from partners.models import Agency, Officer, Party
from partners.selectors import officers_concerned
from selec.core.notifications import notify_officers


def notify_new_participants(
    *,
    case: Case,
    by: Officer,
    event_id: int,
    agencies: Iterable[Agency] = (),
    parties: Iterable[Party] = (),
    analysts: Iterable[Officer] = (),
) -> int:
    """Notify those who have just joined the case (not the officer who added them): the
    officers of the ``agencies``, the NFP officers of the ``parties`` (the parties new to the
    case, which the caller knows) and the ``analysts``. ``event_id`` is the audit event of the
    opening or invitation that made them join: the notice is told once per event."""
    agency_ids = sorted({a.pk for a in agencies})
    party_ids = sorted({p.pk for p in parties})
    analyst_ids = sorted({o.pk for o in analysts})
    if not (agency_ids or party_ids or analyst_ids):
        return 0
    officers = (
        officers_concerned(agency_ids=agency_ids, nfp_party_ids=party_ids)
        | Officer.objects.filter(is_active=True, pk__in=analyst_ids)
    ).exclude(pk=by.pk)
    return notify_officers(
        officers=officers,
        kind=CaseNotificationKind.CASE_PARTICIPATION,
        title=lambda: (
            # Translators: kind is "Joint investigation" or "Regional operation"; party is the
            # lead party's code, e.g. "RO".
            _("%(kind)s %(reference)s led by %(party)s: you take part")
            % {
                "kind": case.get_kind_display(),
                "reference": case.reference,
                "party": case.lead_party.code,
            }
        ),
        link=f"/cases/{case.reference}/",
        object_type="cases.case",
        object_id=str(case.pk),
        # One notice per joining (the audit event that records it), never per wording.
        dedupe_key=f"{CaseNotificationKind.CASE_PARTICIPATION}:audit-event:{event_id}",
    )
