"""E-mails about MoUs. Thin tasks taking ids, queued on commit by ``alliance.services``."""

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from accounts import roles

from .models import MoU


def _link(mou):
    return settings.SITE_URL.rstrip("/") + reverse("alliance:mou-detail", args=[mou.pk])


def _send(template, subject, context, recipients):
    body = render_to_string(template, context)
    for address in recipients:
        # One message per person: reviewers and partners do not see each other's addresses.
        send_mail(subject, body, None, [address])


@shared_task
def notify_managers_of_submission(mou_id):
    """Tell every active manager who may review it (not the one who submitted it) that an MoU waits."""
    mou = MoU.objects.select_related("counterpart", "partner_organisation", "submitted_by").filter(pk=mou_id).first()
    if mou is None or mou.status != MoU.Status.SUBMITTED:
        return 0
    recipients = sorted(set(
        get_user_model().objects.filter(is_active=True, groups__name=roles.MANAGER)
        .exclude(email="").exclude(pk=mou.submitted_by_id).values_list("email", flat=True)
    ))
    context = {"mou": mou, "link": _link(mou), "duplicates": mou.possible_duplicates().exists()}
    subject = f"MoU to review: {mou.title[:80]}"
    _send("alliance/mous/email_submitted.txt", subject, context, recipients)
    return len(recipients)


@shared_task
def notify_partner_of_decision(mou_id):
    """Tell the person who submitted the MoU (or, if gone, its organisation's partners) the decision."""
    mou = MoU.objects.select_related("counterpart", "partner_organisation", "submitted_by").filter(pk=mou_id).first()
    if mou is None or mou.status not in (MoU.Status.APPROVED, MoU.Status.REJECTED):
        return 0
    submitter = mou.submitted_by
    if submitter and submitter.is_active and submitter.email:
        recipients = [submitter.email]
    else:
        recipients = sorted(set(
            get_user_model().objects.filter(is_active=True, groups__name=roles.PARTNER,
                                             organisation_id=mou.partner_organisation_id)
            .exclude(email="").values_list("email", flat=True)
        ))
    context = {"mou": mou, "link": _link(mou)}
    subject = f"Your MoU was {mou.get_status_display().lower()}: {mou.title[:80]}"
    _send("alliance/mous/email_decision.txt", subject, context, recipients)
    return len(recipients)
