"""The API v1 router: every app's viewsets are registered here, in the project shell."""

from django.urls import include, path, re_path
from rest_framework.routers import DefaultRouter

import alliance.api
import indicators.api
import observatories.api
import organisations.api
import reporting.api
import training.api
from registers.api import not_found

router = DefaultRouter()
router.register("indicators", indicators.api.IndicatorViewSet, basename="indicator")
router.register("regions", organisations.api.RegionViewSet, basename="region")
router.register("organisations", organisations.api.OrganisationViewSet, basename="organisation")
router.register("alliance-members", alliance.api.AllianceMemberViewSet, basename="alliance-member")
router.register("cooperation-projects", alliance.api.CooperationProjectViewSet, basename="cooperation-project")
router.register("mous", alliance.api.MoUViewSet, basename="mou")
router.register("observatories", observatories.api.ObservatoryViewSet, basename="observatory")
router.register("skill-gaps", observatories.api.SkillGapViewSet, basename="skill-gap")
router.register("micro-credentials", training.api.MicroCredentialViewSet, basename="micro-credential")
router.register("learning-factories", training.api.LearningFactoryViewSet, basename="learning-factory")
router.register("factory-exchanges", training.api.FactoryExchangeViewSet, basename="factory-exchange")
router.register("factory-products", training.api.FactoryProductViewSet, basename="factory-product")
router.register("reports", indicators.api.ReportViewSet, basename="report")
router.register("inbox", reporting.api.InboxViewSet, basename="inbox")
router.register("milestones", indicators.api.MilestoneViewSet, basename="milestone")
router.register("periods", reporting.api.PeriodViewSet, basename="period")
router.register("narratives", reporting.api.NarrativeViewSet, basename="narrative")
router.register("partner-notes", reporting.api.PartnerNoteViewSet, basename="partner-note")

app_name = "api"
urlpatterns = [
    path("", include(router.urls)),
    re_path(r"^(?P<path>[\s\S]*)$", not_found, name="not-found"),  # any path, newlines included
]
