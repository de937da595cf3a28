from django.urls import include, path

from . import views

app_name = "indicators"

# Fixed paths under indicators/ must come before "indicators/<code>/", which would match them:
# the reported values' pages (with "indicators/new/") are included before it.
urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("indicators/export.csv", views.export_csv, name="export-csv"),
    path("indicators/export.xlsx", views.export_xlsx, name="export-xlsx"),
    path("indicators/refresh/", views.refresh, name="refresh"),
    path("indicators/version/", views.version, name="version"),
    path("", include("indicators.reported.urls")),
    path("indicators/<slug:code>/", views.indicator_detail, name="indicator-detail"),
    path("indicators/<slug:code>/milestones/", views.milestones_edit, name="milestones"),
    path("public/", views.public, name="public"),
]
