"""Who hears of what happens to an exchange: the officers of the agencies concerned and the
NFP officers of their parties. Titles carry references and parties only, never content."""

from __future__ import annotations

from collections.abc import Sequence

from exchanges.models import Exchange, ExchangeNotificationKind
from partners.models import Agency
from partners.selectors import officers_concerned
from selec.core.notifications import Title, notify_officers


def notify_agencies(
    *,
    agency_ids: Sequence[int],
    kind: ExchangeNotificationKind,
    exchange: Exchange,
    title: Title,
    dedupe_key: str,
    party_ids: Sequence[int] | None = None,
) -> int:
    """Notify the officers of the agencies and the NFP officers of their parties (pass
    ``party_ids`` when the caller knows them, to spare a query).

    ``title`` is the text, or a function without arguments that composes it: called once per
    recipient language (``notify_officers``), so that each officer reads it in their own.

    ``dedupe_key`` names the event that causes the notice: the row it created
    (``exchange:<id>``, ``dissemination-request:<id>``, ``receipt:<id>``) or its audit event
    (``audit-event:<id>``). An officer is told once per event and kind of notice, and every new
    event is told, however alike its wording: two grants on one exchange are two notices."""
    if not agency_ids:
        return 0
    if party_ids is None:
        party_ids = list(
            set(Agency.objects.filter(pk__in=agency_ids).values_list("party_id", flat=True))
        )
    return notify_officers(
        officers=officers_concerned(agency_ids=agency_ids, nfp_party_ids=party_ids),
        kind=kind,
        title=title,
        link=f"/exchanges/{exchange.reference}/",
        object_type="exchanges.exchange",
        object_id=str(exchange.pk),
        # The kind too: one event may cause notices of several kinds (a change of restrictions
        # that tightens and loosens; a receipt approaching, then passing, its due date).
        dedupe_key=f"{kind}:{dedupe_key}",
    )
