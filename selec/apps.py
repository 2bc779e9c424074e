from django.apps import AppConfig


class SelecConfig(AppConfig):
    name = "selec"
    verbose_name = "SELEC Exchange"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed

        from selec.login_throttle import on_login_failed

        # Failed password checks are only announced by this signal: count them per address.
        user_login_failed.connect(on_login_failed, dispatch_uid="selec.login_throttle")
