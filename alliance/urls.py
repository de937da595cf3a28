app_name = "alliance"

urlpatterns = []
