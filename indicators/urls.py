from django.urls import path

from . import views

app_name = "indicators"

# A plain list: report pages are added to it by a targeted edit. Fixed paths under
# indicators/ must come before "indicators/<code>/", which would match them.
urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("indicators/export.csv", views.export_csv, name="export-csv"),
    path("indicators/export.xlsx", views.export_xlsx, name="export-xlsx"),
    path("indicators/refresh/", views.refresh, name="refresh"),
    path("indicators/<slug:code>/", views.indicator_detail, name="indicator-detail"),
    path("public/", views.public, name="public"),
]
