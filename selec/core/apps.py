from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The core every app builds on (audit log, encryption, files, notifications, API and page
    plumbing). Its label stays ``selec``: its tables, migrations and permissions keep their
    names."""

    name = "selec.core"
    label = "selec"
    verbose_name = _("SELEC Exchange")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed
        from django.db.models.signals import post_migrate

        from selec.core.audit_events import CoreAuditEvent, register_audit_events
        from selec.core.login_throttle import on_login_failed
        from selec.core.object_permissions import forget_permission_ids
        from selec.core.task_context import connect_task_context

        # Failed password checks are only announced by this signal: count them per address.
        user_login_failed.connect(on_login_failed, dispatch_uid="selec.core.login_throttle")
        # A migration or a flush (tests) may recreate the Permission rows under new ids.
        post_migrate.connect(forget_permission_ids, dispatch_uid="selec.permission_ids")
        register_audit_events(CoreAuditEvent)
        # The request id travels into the tasks a request queues, and into their log lines.
        connect_task_context()
