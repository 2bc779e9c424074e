from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectConfig(AppConfig):
    """The project's configuration (settings, URLs, the Celery app, demo and reference data):
    installed for its management commands, the one place that knows every app. It has no
    models."""

    name = "selec"
    label = "selec_project"
    verbose_name = _("SELEC Exchange project")
