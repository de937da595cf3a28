from . import urls_registers
from .mous import urls as mou_urls

app_name = "alliance"

urlpatterns = [
    *mou_urls.urlpatterns,
    *urls_registers.urlpatterns,
]
