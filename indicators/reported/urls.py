"""Pages of reported values, and defining a reported indicator: included by ``indicators.urls`` in its
namespace, before ``indicators/<code>/`` (which would match ``indicators/new/``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("indicators/new/", views.indicator_create, name="indicator-create"),
    path("registers/reports/", views.report_list, name="report-list"),
    path("registers/reports/new/", views.report_create, name="report-create"),
    path("registers/reports/export.csv", views.register.export_view, {"extension": "csv"},
         name="report-export-csv"),
    path("registers/reports/export.xlsx", views.register.export_view, {"extension": "xlsx"},
         name="report-export-xlsx"),
    path("registers/reports/<int:pk>/", views.report_detail, name="report-detail"),
    path("registers/reports/<int:pk>/approve/", views.report_approve, name="report-approve"),
    path("registers/reports/<int:pk>/reject/", views.report_reject, name="report-reject"),
    path("registers/reports/<int:pk>/evidence/", views.report_evidence, name="report-evidence"),
]
