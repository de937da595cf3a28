from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "indicators"

    def ready(self):
        # Every app's measures.py registers its measures (the domain apps also
        # import theirs in their own ready(); importing twice is a no-op). This app
        # names none of them: it discovers the modules, as the admin does.
        from django.utils.module_loading import autodiscover_modules

        from . import signals

        autodiscover_modules("measures")
        # Queue a debounced roll-up on commit of any change to a counted record.
        signals.connect()
