"""The kinds of notification. The core names none: each app declares the kinds of its own
events (a ``TextChoices``) and registers them when it starts (its ``AppConfig.ready``); the
notifications page, the admin and the API list what has been registered."""

from __future__ import annotations

from django.db import models

from selec.core.choices_registry import Choices, register_choices

# (value, label), in the order the apps registered them. A list, so that the API's schema can
# name the enum these choices make (drf-spectacular's ENUM_NAME_OVERRIDES, in the settings).
NOTIFICATION_KINDS: Choices = []


def register_notification_kinds(kinds: type[models.TextChoices]) -> None:
    """Add an app's kinds (``selec.core.choices_registry.register_choices``)."""
    register_choices(NOTIFICATION_KINDS, kinds, what="notification kind")


def notification_kind_choices() -> Choices:
    """The choices of ``Notification.kind``: read when a form, the admin or the API asks."""
    return list(NOTIFICATION_KINDS)
