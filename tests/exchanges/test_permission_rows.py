"""The exchanges' object permissions are stored one row per (group, permission, exchange), that
triple being the row's key: no serial id beside it, one index led by the group for the inbox's
join and one by the exchange for the permissions of a page. Guardian reads the rows as before."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from guardian.shortcuts import get_perms

from exchanges.models import ExchangeGroupObjectPermission
from exchanges.permissions import permissions_sync
from exchanges.policy import Perm
from partners.models import Officer
from selec.core.object_permissions import permission_id
from tests.exchanges.scenario import send
from tests.helpers import agency_of

pytestmark = pytest.mark.django_db

TABLE = ExchangeGroupObjectPermission._meta.db_table


def _indexes() -> dict[tuple[str, ...], dict[str, bool]]:
    """The table's indexes by their columns, with whether each is the primary key or unique."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, TABLE)
    return {
        tuple(each["columns"]): {"primary_key": each["primary_key"], "unique": each["unique"]}
        for each in constraints.values()
        if each["index"] or each["primary_key"] or each["unique"]
    }


def test_the_rows_are_keyed_by_group_permission_and_exchange_with_one_index_per_lookup() -> None:
    assert _indexes() == {
        ("group_id", "permission_id", "content_object_id"): {"primary_key": True, "unique": True},
        ("content_object_id",): {"primary_key": False, "unique": False},
    }
    columns = {field.column for field in ExchangeGroupObjectPermission._meta.concrete_fields}
    assert columns == {"group_id", "permission_id", "content_object_id"}


def test_the_same_grant_cannot_be_stored_twice(lo_ro: Officer) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    grant = ExchangeGroupObjectPermission.objects.filter(content_object=exchange).first()
    assert grant is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        ExchangeGroupObjectPermission.objects.bulk_create(
            [
                ExchangeGroupObjectPermission(
                    group_id=grant.group_id,
                    permission_id=grant.permission_id,
                    content_object_id=exchange.pk,
                )
            ]
        )


def test_guardian_reads_the_grants_and_a_sync_puts_back_what_was_taken(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    assert "view_exchange" in get_perms(lo_bg, exchange)
    view = permission_id("exchanges", Perm.VIEW)
    group = agency_of(lo_bg).group_id
    stored = ExchangeGroupObjectPermission.objects.filter(content_object=exchange)
    before = set(stored.values_list("pk", flat=True))
    # The row is found and deleted by its key.
    taken = stored.filter(permission_id=view, group_id=group)
    assert taken.delete()[0] == 1
    assert "view_exchange" not in get_perms(lo_bg, exchange)

    permissions_sync([exchange.pk])

    assert set(stored.values_list("pk", flat=True)) == before
    assert (group, view, exchange.pk) in before
    assert "view_exchange" in get_perms(lo_bg, exchange)
