"""The kinds of notification. The core names none: each app declares the kinds of its own
events (a ``TextChoices``) and registers them when it starts (its ``AppConfig.ready``); the
notifications page, the admin and the API list what has been registered."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.functional import Promise

# (value, label), in the order the apps registered them. A list, so that the API's schema can
# name the enum these choices make (drf-spectacular's ENUM_NAME_OVERRIDES, in the settings).
NOTIFICATION_KINDS: list[tuple[str, str | Promise]] = []


def register_notification_kinds(kinds: type[models.TextChoices]) -> None:
    """Add an app's kinds. Registering the same kinds again changes nothing; two apps that
    declare one value with different labels are a configuration error."""
    known = dict(NOTIFICATION_KINDS)
    for value, label in kinds.choices:
        if value not in known:
            NOTIFICATION_KINDS.append((value, label))
        elif known[value] != label:
            raise ImproperlyConfigured(f"Two apps declare the notification kind {value!r}.")


def notification_kind_choices() -> list[tuple[str, str | Promise]]:
    """The choices of ``Notification.kind``: read when a form, the admin or the API asks."""
    return list(NOTIFICATION_KINDS)
