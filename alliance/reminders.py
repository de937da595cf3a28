"""The MoUs waiting for a manager's review, for the reminder e-mails (``registers.review_queues``)."""

from django.urls import reverse

from registers.review_queues import WaitingItem, review_queues

from .models import MoU


def mous_waiting(older_than):
    mous = MoU.objects.filter(status=MoU.Status.SUBMITTED, submitted_at__lt=older_than).select_related(
        "partner_organisation").order_by("submitted_at", "pk")
    return [WaitingItem(f"mou:{mou.pk}", f"MoU: {mou.title} ({mou.partner_organisation})",
                        reverse("alliance:mou-detail", args=[mou.pk]), mou.submitted_at) for mou in mous]


review_queues.register("mous", mous_waiting, review_page="alliance:mou-list")
