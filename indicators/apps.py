from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "indicators"

    def ready(self):
        # Every app's measures.py registers its measures (the domain apps also
        # import theirs in their own ready(); importing twice is a no-op). This app
        # names none of them: it discovers the modules, as the admin does.
        from django.utils.module_loading import autodiscover_modules

        from . import triggers
        from .reported import inbox

        autodiscover_modules("measures")
        # Reported values wait for a coordinator in the review inbox.
        inbox.register()
        # The roll-up's own tables: no page shows them as records (the pages read ``ROLLUP``).
        from registers import generations

        from .models import Breakdown, OutboxEntry, Snapshot

        generations.ignore(OutboxEntry, Snapshot, Breakdown)
        # A change to a counted record writes its outbox rows and asks for a drain.
        triggers.connect()
        # Whether partners read the dashboard is the project's setting.
        from accounts import roles

        from .models import Project

        def partners_see_dashboard():
            return Project.objects.filter(partners_see_dashboard=True).exists()

        roles.partners_see_dashboard_from(partners_see_dashboard)
        # A register import saves many records: one drain at its end, not one per record.
        from registers import importing

        if triggers.rollups_deferred not in importing.AROUND_IMPORT:
            importing.AROUND_IMPORT.append(triggers.rollups_deferred)
