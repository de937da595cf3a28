from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.http import last_modified
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

import registers.pickers
import registers.views

from . import health

# The JavaScript catalogue changes only with a deployment: a browser revalidates its copy (one per language:
# base.html puts the language in the address) against the process's start.
STARTED_AT = timezone.now()

# The admin signs in on the site's login page (password or provider, then the second factor).
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("health/", health.health, name="health"),
    path("admin/", admin.site.urls),
    # The strings of static/*/*.js in the reader's language (gettext() in the scripts; base.html loads it).
    path("jsi18n/", last_modified(lambda request: STARTED_AT)(JavaScriptCatalog.as_view()), name="javascript-catalog"),
    path("accounts/", include("organisations.invitations.urls")),
    path("accounts/", include("accounts.urls")),
    path("api/v1/", include("lcamp.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: the CSP allows no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("registers/", registers.views.index, name="registers"),
    path("registers/jobs/<uuid:pk>/", registers.views.job_view, name="registers-job"),
    path("registers/jobs/<uuid:pk>/status/", registers.views.job_status, name="registers-job-status"),
    path("registers/jobs/<uuid:pk>/download/", registers.views.job_download, name="registers-job-download"),
    # Not under registers/: partners pick MoU counterparts too (each picker says who may use it).
    path("pickers/<str:key>/", registers.pickers.pick_view, name="registers-pick"),
    path("", include("organisations.urls")),
    path("", include("alliance.urls")),
    path("", include("observatories.urls")),
    path("", include("training.urls")),
    path("", include("reporting.urls")),
    path("", include("indicators.urls")),
]

handler403 = "lcamp.views.permission_denied"
handler404 = "lcamp.views.page_not_found"
handler500 = "lcamp.views.server_error"
