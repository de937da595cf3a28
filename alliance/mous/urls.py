"""MoU pages: partners submit, managers review; the list and its export are the ``mous`` register's."""

from django.urls import path

from . import views

urlpatterns = [
    path("mous/", views.mous.list_view, name="mou-list"),
    path("mous/new/", views.mou_create, name="mou-create"),
    path("mous/export.csv", views.mous.export_view, {"extension": "csv"}, name="mou-export-csv"),
    path("mous/export.xlsx", views.mous.export_view, {"extension": "xlsx"}, name="mou-export-xlsx"),
    path("mous/<int:pk>/", views.mou_detail, name="mou-detail"),
    path("mous/<int:pk>/document/", views.mou_document, name="mou-document"),
    path("mous/<int:pk>/approve/", views.mou_approve, name="mou-approve"),
    path("mous/<int:pk>/reject/", views.mou_reject, name="mou-reject"),
    path("mous/<int:pk>/withdraw/", views.mou_withdraw, name="mou-withdraw"),
]
