from django.apps import AppConfig


class TaskforcesConfig(AppConfig):
    name = "taskforces"
    verbose_name = "Crime areas and task forces"
