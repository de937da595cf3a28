from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"

    def ready(self):
        # The engine learns the periods (closed ones, the dashboard's choices, the narratives)
        # from the source this app registers: it never imports this app.
        from indicators import period_source

        from .source import ReportingPeriods

        period_source.register(ReportingPeriods())
        # The organisation's page links to its contribution (organisations sits below this app).
        from organisations import views as organisation_views

        from . import contribution

        if contribution.detail_link not in organisation_views.DETAIL_LINKS:
            organisation_views.DETAIL_LINKS.append(contribution.detail_link)
