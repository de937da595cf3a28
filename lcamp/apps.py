from django.apps import AppConfig


class LcampConfig(AppConfig):
    """The project shell: settings, URLs, Celery, and the commands that compose every app."""

    name = "lcamp"
    verbose_name = "LCAMP Tracker"
