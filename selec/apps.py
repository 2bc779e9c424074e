from django.apps import AppConfig


class SelecConfig(AppConfig):
    name = "selec"
    verbose_name = "SELEC Exchange"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed
        from django.db.models.signals import post_migrate

        from selec.login_throttle import on_login_failed
        from selec.object_permissions import forget_permission_ids

        # Failed password checks are only announced by this signal: count them per address.
        user_login_failed.connect(on_login_failed, dispatch_uid="selec.login_throttle")
        # A migration or a flush (tests) may recreate the Permission rows under new ids.
        post_migrate.connect(forget_permission_ids, dispatch_uid="selec.permission_ids")
