"""MoU pages: partners submit, managers review (issue 6)."""

urlpatterns = []
