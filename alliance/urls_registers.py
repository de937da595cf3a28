"""Register pages of the alliance app (issue 5)."""

urlpatterns = []
