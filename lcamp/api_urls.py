"""The API v1 router: every app's viewsets are registered here, in the project shell."""

from django.urls import include, path, re_path
from rest_framework.routers import DefaultRouter

from alliance import api as alliance_api
from indicators import api as indicators_api
from observatories import api as observatories_api
from organisations import api as organisations_api
from registers.api import not_found
from training import api as training_api

router = DefaultRouter()
router.register("indicators", indicators_api.IndicatorViewSet, basename="indicator")
router.register("regions", organisations_api.RegionViewSet, basename="region")
router.register("organisations", organisations_api.OrganisationViewSet, basename="organisation")
router.register("alliance-members", alliance_api.AllianceMemberViewSet, basename="alliance-member")
router.register("cooperation-projects", alliance_api.CooperationProjectViewSet, basename="cooperation-project")
router.register("mous", alliance_api.MoUViewSet, basename="mou")
router.register("observatories", observatories_api.ObservatoryViewSet, basename="observatory")
router.register("skill-gaps", observatories_api.SkillGapViewSet, basename="skill-gap")
router.register("micro-credentials", training_api.MicroCredentialViewSet, basename="micro-credential")
router.register("learning-factories", training_api.LearningFactoryViewSet, basename="learning-factory")
router.register("factory-exchanges", training_api.FactoryExchangeViewSet, basename="factory-exchange")
router.register("factory-products", training_api.FactoryProductViewSet, basename="factory-product")
router.register("reports", indicators_api.ReportViewSet, basename="report")

app_name = "api"
urlpatterns = [
    path("", include(router.urls)),
    re_path(r"^(?P<path>[\s\S]*)$", not_found, name="not-found"),  # any path, newlines included
]
