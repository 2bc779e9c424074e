"""The kinds of notification come from the apps that declare them, not from the core."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from cases.models import CaseNotificationKind
from exchanges.models import ExchangeNotificationKind
from hits.models import HitNotificationKind
from partners.models import PartnerNotificationKind
from products.models import ProductNotificationKind, QuestionnaireNotificationKind
from records.models import RecordsNotificationKind
from selec.core import notification_kinds
from selec.core.models import Notification
from subjects.models import SubjectNotificationKind


def _kind_choices() -> list[tuple[object, object]]:
    """The choices of ``Notification.kind`` as a form or the API reads them (a callable's,
    called now)."""
    field = Notification._meta.get_field("kind")
    assert isinstance(field, models.CharField)
    assert field.choices is not None
    return list(field.choices)


def test_every_app_s_kinds_are_the_choices_of_a_notification() -> None:
    declared = {
        *ExchangeNotificationKind.values,
        *HitNotificationKind.values,
        *CaseNotificationKind.values,
        *PartnerNotificationKind.values,
        *RecordsNotificationKind.values,
        *SubjectNotificationKind.values,
        *ProductNotificationKind.values,
        *QuestionnaireNotificationKind.values,
    }
    choices = {value for value, _ in _kind_choices()}
    assert choices == declared
    assert "hit" in choices
    assert "case_participation" in choices


def test_registering_the_same_kinds_again_changes_nothing() -> None:
    before = list(notification_kinds.NOTIFICATION_KINDS)
    notification_kinds.register_notification_kinds(ExchangeNotificationKind)
    assert before == notification_kinds.NOTIFICATION_KINDS


def test_two_apps_may_not_give_one_kind_two_meanings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        notification_kinds, "NOTIFICATION_KINDS", list(notification_kinds.NOTIFICATION_KINDS)
    )

    class Clashing(models.TextChoices):
        HIT = "hit", "A match of another app"

    with pytest.raises(ImproperlyConfigured, match="'hit'"):
        notification_kinds.register_notification_kinds(Clashing)


def test_a_new_app_s_kind_is_offered_once_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        notification_kinds, "NOTIFICATION_KINDS", list(notification_kinds.NOTIFICATION_KINDS)
    )

    class Added(models.TextChoices):
        REPORT_READY = "report_ready", "Report ready"

    notification_kinds.register_notification_kinds(Added)
    assert ("report_ready", "Report ready") in _kind_choices()
