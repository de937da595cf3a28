"""Register pages of the alliance app (issue 5)."""

from . import views

urlpatterns = [
    *views.organisations.urlpatterns(),
    *views.regions.urlpatterns(),
    *views.members.urlpatterns(),
    *views.cooperation_projects.urlpatterns(),
]
