from . import views

app_name = "observatories"

urlpatterns = [
    *views.observatories.urlpatterns(),
    *views.skill_gaps.urlpatterns(),
]
