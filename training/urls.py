from . import views

app_name = "training"

urlpatterns = [
    *views.micro_credentials.urlpatterns(),
    *views.factories.urlpatterns(),
    *views.exchanges.urlpatterns(),
    *views.products.urlpatterns(),
]
