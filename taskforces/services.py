"""Writes to the task-force directory, each audited in its own transaction."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.db.models import Model
from django.utils import translation

from partners.models import Officer
from selec.core.audit import audit_record
from selec.core.models import AuditAction
from taskforces.models import (
    MembershipRole,
    SubTaskForce,
    TaskForce,
    TaskForceAuditEvent,
    TaskForceMembership,
)


@transaction.atomic
def membership_add(
    *,
    actor: Officer | None,
    officer: Officer,
    task_force: TaskForce,
    sub_task_force: SubTaskForce | None = None,
    role: MembershipRole | str = MembershipRole.MEMBER,
) -> TaskForceMembership:
    membership = TaskForceMembership(
        officer=officer, task_force=task_force, sub_task_force=sub_task_force, role=role
    )
    membership.full_clean()
    membership.save()
    audit_record(
        actor=actor,
        action=AuditAction.COLLECTION,
        event=TaskForceAuditEvent.MEMBERSHIP_ADDED,
        target=membership,
        reason="task force membership added",
        details={"officer": officer.username, "task_force": task_force.code},
    )
    return membership


@transaction.atomic
def reference_save(
    *, actor: Officer | None, instance: Model, created: bool, fields: list[str]
) -> Model:
    """Save a directory record that carries no logic of its own (task forces, crime areas,
    memberships edited in the admin), with its audit event."""
    instance.full_clean()
    if created:
        instance.save()
    else:
        instance.save(update_fields=fields or None)
    audit_record(
        actor=actor,
        action=AuditAction.COLLECTION if created else AuditAction.ALTERATION,
        event=TaskForceAuditEvent.REFERENCE_CREATED
        if created
        else TaskForceAuditEvent.REFERENCE_UPDATED,
        target=instance,
        reason=f"{_english_name(instance)} {'created' if created else 'updated'} in the admin",
        details={"fields": sorted(fields)},
    )
    return instance


@transaction.atomic
def reference_delete(*, actor: Officer | None, instance: Model) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.ERASURE,
        event=TaskForceAuditEvent.REFERENCE_DELETED,
        target=instance,
        reason=f"{_english_name(instance)} deleted in the admin",
        details={"label": str(instance)},
    )
    instance.delete()


def memberships_remove_officers(officer_ids: Sequence[int]) -> dict[str, int]:
    """Offboarding (``partners.offboarding``): the officers leave every task force and
    sub-task force. Runs in the offboarding's transaction, whose audit event records the count."""
    removed, _ = TaskForceMembership.objects.filter(officer_id__in=list(officer_ids)).delete()
    return {"task_force_memberships": removed}


def _english_name(instance: Model) -> str:
    """The model's name as the audit log keeps it: in English, whoever's language is active."""
    with translation.override("en"):
        return str(instance._meta.verbose_name)
