from django.apps import AppConfig


class LcampConfig(AppConfig):
    name = "lcamp"
    verbose_name = "LCAMP core"
