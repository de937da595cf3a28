"""The API's content negotiation (a module of its own: DRF loads it while its views are imported)."""

from django.utils.translation import gettext
from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation


class ApiContentNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, refusing an empty ``?format=`` (400) instead of ignoring it; an unknown
    format answers 404 as DRF does."""

    def select_renderer(self, request, renderers, format_suffix=None):
        param = self.settings.URL_FORMAT_OVERRIDE
        if param and param in request.query_params and not request.query_params[param].strip():
            raise exceptions.ValidationError({param: [
                gettext("Give a format (%(formats)s) or leave format out.")
                % {"formats": ", ".join(sorted({r.format for r in renderers}))}]})
        return super().select_renderer(request, renderers, format_suffix)
