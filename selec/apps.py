from django.apps import AppConfig


class SelecConfig(AppConfig):
    name = "selec"
    verbose_name = "SELEC Exchange"
