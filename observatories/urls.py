app_name = "observatories"

urlpatterns = []
