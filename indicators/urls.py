from django.urls import path

from . import views, views_reports

app_name = "indicators"

# A plain list: report pages are added to it by a targeted edit. Fixed paths under
# indicators/ must come before "indicators/<code>/", which would match them.
urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("indicators/export.csv", views.export_csv, name="export-csv"),
    path("indicators/export.xlsx", views.export_xlsx, name="export-xlsx"),
    path("indicators/refresh/", views.refresh, name="refresh"),
    path("indicators/version/", views.version, name="version"),
    path("indicators/new/", views_reports.indicator_create, name="indicator-create"),
    path("indicators/<slug:code>/", views.indicator_detail, name="indicator-detail"),
    path("public/", views.public, name="public"),
    # Reported values.
    path("registers/reports/", views_reports.report_list, name="report-list"),
    path("registers/reports/new/", views_reports.report_create, name="report-create"),
    path("registers/reports/export.csv", views_reports.register.export_view, {"extension": "csv"},
         name="report-export-csv"),
    path("registers/reports/export.xlsx", views_reports.register.export_view, {"extension": "xlsx"},
         name="report-export-xlsx"),
    path("registers/reports/<int:pk>/", views_reports.report_detail, name="report-detail"),
    path("registers/reports/<int:pk>/approve/", views_reports.report_approve, name="report-approve"),
    path("registers/reports/<int:pk>/reject/", views_reports.report_reject, name="report-reject"),
    path("registers/reports/<int:pk>/evidence/", views_reports.report_evidence, name="report-evidence"),
]
