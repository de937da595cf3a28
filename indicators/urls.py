from django.urls import path

from . import views, views_periods, views_reports

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
    # Reporting periods, their narratives and reports.
    path("periods/", views_periods.period_list, name="period-list"),
    path("periods/<int:pk>/", views_periods.period_detail, name="period-detail"),
    path("periods/<int:pk>/report.pdf", views_periods.period_report, {"fmt": "pdf"}, name="period-report-pdf"),
    path("periods/<int:pk>/report.xlsx", views_periods.period_report, {"fmt": "xlsx"}, name="period-report-xlsx"),
    path("periods/<int:pk>/review/", views_periods.period_review, name="period-review"),
    path("periods/<int:pk>/close/", views_periods.period_close, name="period-close"),
    path("periods/<int:pk>/reopen/", views_periods.period_reopen, name="period-reopen"),
    path("periods/<int:pk>/narratives/<slug:code>/", views_periods.narrative_detail, name="narrative-detail"),
    path("periods/<int:pk>/narratives/<slug:code>/edit/", views_periods.narrative_edit, name="narrative-edit"),
    path("periods/<int:pk>/narratives/<slug:code>/review/", views_periods.narrative_review,
         name="narrative-review"),
    path("periods/<int:pk>/narratives/<slug:code>/comment/", views_periods.narrative_comment,
         name="narrative-comment"),
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
