"""Hit/no-hit matching's records: the blind-index tokens of the entities exchanges carry, and
the pairs of entities two providers hold in common.

The tables keep the names they had when matching was part of the exchanges app
(``exchanges_entitytoken``, ``exchanges_hit``): the app moved, the data did not.
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from exchanges.models import Entity, Exchange
from partners.models import Agency

# The audit log's and the notifications' names for a hit and a search, as they were before the
# app moved: the log is append-only, and a data protection officer's query by object type must
# find every hit, old and new, under one name.
HIT_OBJECT_TYPE = "exchanges.hit"
HIT_SEARCH_OBJECT_TYPE = "exchanges.hit_search"


class HitAuditEvent(models.TextChoices):
    """The audit events of hit/no-hit matching (registered in ``hits.apps``)."""

    FOUND = "hit.found", _("Hit found")
    SEARCHED = "hit.searched", _("Hit search")
    ENTITIES_REINDEXED = "entities.reindexed", _("Blind-index tokens recomputed")


class HitNotificationKind(models.TextChoices):
    """What officers are notified of about hits (registered in ``hits.apps``)."""

    HIT = "hit", _("Hit")


class EntityToken(models.Model):
    """An HMAC blind index of an entity's identifying attribute, for hit/no-hit matching."""

    # Indexed by ``entity_token_once``, which the entity leads.
    entity = models.ForeignKey(
        Entity, on_delete=models.CASCADE, related_name="tokens", db_index=False
    )
    kind = models.CharField(max_length=24)
    token = models.CharField(max_length=64)
    # How the token was made (``hits.blind_index.current_scheme``); rows written without
    # one (bulk loads) are of the first scheme.
    scheme = models.CharField(max_length=16, db_default="v1-k1")

    class Meta:
        db_table = "exchanges_entitytoken"
        indexes = [models.Index(fields=["kind", "token"], name="entity_token_lookup")]
        constraints = [
            models.UniqueConstraint(fields=["entity", "kind", "token"], name="entity_token_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} token of entity {self.entity_id}"


class Hit(models.Model):
    """Two providers hold the same person, vehicle, document, phone, company or account: an
    entity of each shares an identifying blind-index token (hit/no-hit matching, see
    ``hits.matching``). The pair is stored once, lower entity id first, whichever side's
    exchange found it. Who sees it, and how much of the other side, is decided when it is read
    (``hits.selectors``), so a later restriction or status change applies at once."""

    entity_a = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="+")
    entity_b = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="+")
    # The entities' exchanges, which never change: the scoped reads join one table less.
    exchange_a = models.ForeignKey(Exchange, on_delete=models.CASCADE, related_name="+")
    exchange_b = models.ForeignKey(Exchange, on_delete=models.CASCADE, related_name="+")
    # The exchanges' senders, which never change either: an agency's hits are found by these
    # indexes (``hit_of_agency_a``, ``_b``), and the planner knows how many each agency has.
    # Through the exchanges, the page of an agency with few hits walked every hit of every
    # agency, newest first, to find its own.
    agency_a = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", db_index=False)
    agency_b = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", db_index=False)
    # The blind-index token kinds both entities share (hits.blind_index.TokenKind).
    token_kinds = ArrayField(models.CharField(max_length=24))
    created_at = models.DateTimeField()

    class Meta:
        db_table = "exchanges_hit"
        indexes = [
            # With the id: an agency's hits newest first, by keyset (``hits.selectors``).
            models.Index(fields=["agency_a", "id"], name="hit_of_agency_a"),
            models.Index(fields=["agency_b", "id"], name="hit_of_agency_b"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["entity_a", "entity_b"], name="hit_once_per_pair"),
            models.CheckConstraint(
                condition=Q(entity_a__lt=F("entity_b")), name="hit_pair_lower_entity_first"
            ),
        ]

    def __str__(self) -> str:
        return f"hit #{self.pk}: entities {self.entity_a_id} and {self.entity_b_id}"
