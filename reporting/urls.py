from django.urls import path

from . import contribution, inbox_views, views

app_name = "reporting"

# Reporting periods, their narratives and reports.
urlpatterns = [
    path("inbox/", inbox_views.inbox_view, name="inbox"),
    path("periods/", views.period_list, name="period-list"),
    path("periods/<int:pk>/", views.period_detail, name="period-detail"),
    path("periods/<int:pk>/report.pdf", views.period_report, {"fmt": "pdf"}, name="period-report-pdf"),
    path("periods/<int:pk>/report.xlsx", views.period_report, {"fmt": "xlsx"}, name="period-report-xlsx"),
    path("periods/<int:pk>/narratives.docx", views.period_report, {"fmt": "docx"}, name="period-narratives-docx"),
    path("periods/<int:pk>/review/", views.period_review, name="period-review"),
    path("periods/<int:pk>/close/", views.period_close, name="period-close"),
    path("periods/<int:pk>/reopen/", views.period_reopen, name="period-reopen"),
    path("periods/<int:pk>/narratives/<slug:code>/", views.narrative_detail, name="narrative-detail"),
    path("periods/<int:pk>/narratives/<slug:code>/edit/", views.narrative_edit, name="narrative-edit"),
    path("periods/<int:pk>/narratives/<slug:code>/review/", views.narrative_review, name="narrative-review"),
    path("periods/<int:pk>/narratives/<slug:code>/comment/", views.narrative_comment, name="narrative-comment"),
    path("periods/<int:pk>/narratives/<slug:code>/partner/", views.partner_narrative_edit,
         name="partner-narrative-edit"),
    # An organisation's contribution (its counts, submissions and notes): here, above the indicators and
    # the registers it reads; the organisation's page links to it.
    path("organisations/<int:pk>/contribution/", contribution.contribution_view, name="contribution"),
]
