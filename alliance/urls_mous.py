"""MoU pages: partners submit, managers review."""

from django.urls import path

from . import exports_mous, views_mous

urlpatterns = [
    path("mous/", views_mous.mou_list, name="mou-list"),
    path("mous/new/", views_mous.mou_create, name="mou-create"),
    path("mous/export.csv", exports_mous.mou_export, {"extension": "csv"}, name="mou-export-csv"),
    path("mous/export.xlsx", exports_mous.mou_export, {"extension": "xlsx"}, name="mou-export-xlsx"),
    path("mous/<int:pk>/", views_mous.mou_detail, name="mou-detail"),
    path("mous/<int:pk>/document/", views_mous.mou_document, name="mou-document"),
    path("mous/<int:pk>/approve/", views_mous.mou_approve, name="mou-approve"),
    path("mous/<int:pk>/reject/", views_mous.mou_reject, name="mou-reject"),
    path("mous/<int:pk>/withdraw/", views_mous.mou_withdraw, name="mou-withdraw"),
]
