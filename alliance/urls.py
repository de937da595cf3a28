from . import urls_mous, urls_registers

app_name = "alliance"

urlpatterns = [
    *urls_mous.urlpatterns,
    *urls_registers.urlpatterns,
]
