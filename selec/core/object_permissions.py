"""Storing a policy's decision in django-guardian's direct-FK tables: exactly the grants.

Shared by the apps whose objects carry permissions (exchanges, cases): each decides the grants
with its pure policy; here they become rows (``partners.selectors.group_ids_of`` finds the
principals' groups).
"""

from __future__ import annotations

from enum import Enum
from typing import TypeVar

from django.contrib.auth.models import Permission
from django.db import connection
from django.db.models import Model, Q

E = TypeVar("E", bound=Enum)


# (database name, app label) -> {codename: Permission id}; see ``permission_ids``.
_PERMISSION_IDS: dict[tuple[str, str], dict[str, int]] = {}


def permission_ids(app_label: str, perms: type[E]) -> dict[E, int]:
    """The ids of the app's Permission rows, by the policy's permission: read once per
    process and database (they change only when migrations recreate them), so that storing
    grants costs no query for them, and the scoped reads can name them as constants
    (``permission_id``)."""
    key = (str(connection.settings_dict["NAME"]), app_label)
    if key not in _PERMISSION_IDS:
        rows = Permission.objects.filter(content_type__app_label=app_label)
        _PERMISSION_IDS[key] = dict(rows.values_list("codename", "pk"))
    found = _PERMISSION_IDS[key]
    return {perm: found[perm.value] for perm in perms}


def permission_id(app_label: str, perm: Enum) -> int:
    """The id of the app's Permission row for the policy's permission.

    The scoped reads filter the permission rows by this id as a constant. Filtered through a
    join on the permission's codename and content type instead, PostgreSQL estimates the
    visible rows at one, collects every visible exchange and sorts them all to show a page of
    fifty; with the constant it estimates from the column's statistics and walks the page's
    index.
    """
    return permission_ids(app_label, type(perm))[perm]


def permissions_by_id(app_label: str, perms: type[E]) -> dict[int, E]:
    """The policy's permission of each Permission id (``permission_ids`` the other way): the
    rows of an object read by id, with no join to the permission table."""
    return {pk: perm for perm, pk in permission_ids(app_label, perms).items()}


def forget_permission_ids(**kwargs: object) -> None:
    """Connected to ``post_migrate``: a migration or a flush may recreate the Permission rows
    under other ids."""
    _PERMISSION_IDS.clear()


def store_exactly(
    model: type[Model], holder: str, object_ids: list[int], wanted: set[tuple[int, int, int]]
) -> None:
    """Make the rows of these objects in ``model`` equal ``wanted``, a set of (object id, holder
    id, permission id): delete the stale rows, create the missing ones, leave the rest.

    The rows are guardian's own (its direct-FK tables, ``GroupObjectPermissionBase``), so
    guardian's checks read them. Written here rather than with ``assign_perm``/``remove_perm``:
    those take one holder and one permission per call (a status change of a party re-decides
    thousands of exchanges, each with several groups and permissions) and know nothing of what
    must go; this is one read and at most one delete and one insert per batch."""
    existing = set(
        model.objects.filter(content_object_id__in=object_ids).values_list(  # type: ignore[attr-defined]
            "content_object_id", holder, "permission_id"
        )
    )
    stale = existing - wanted
    if stale:
        condition = Q()
        for object_id, holder_id, permission_id in stale:
            condition |= Q(
                content_object_id=object_id, permission_id=permission_id, **{holder: holder_id}
            )
        model.objects.filter(condition).delete()  # type: ignore[attr-defined]
    model.objects.bulk_create(  # type: ignore[attr-defined]
        [
            model(content_object_id=object_id, permission_id=permission_id, **{holder: holder_id})
            for object_id, holder_id, permission_id in wanted - existing
        ]
    )
