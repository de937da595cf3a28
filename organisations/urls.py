from . import views

app_name = "organisations"

urlpatterns = [
    *views.organisations.urlpatterns(),
    *views.regions.urlpatterns(),
]
