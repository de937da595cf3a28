"""E-mails about MoUs. Thin tasks taking ids, queued on commit by ``alliance.services``."""

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext

from accounts import roles
from accounts.emails import send_in_language

from .models import MoU


def _link(mou):
    return settings.SITE_URL.rstrip("/") + reverse("alliance:mou-detail", args=[mou.pk])


def _send(template, subject, context, recipients):
    """One message per person, in that person's language: reviewers and partners do not
    see each other's addresses. ``recipients`` are users; ``subject`` a callable."""
    for user in recipients:
        send_in_language(user, subject=subject, template=template, context=context)


def _one_per_address(users):
    """The users, one per e-mail address (compared without case), in address order."""
    by_address = {}
    for user in users.order_by("pk"):
        by_address.setdefault(user.email.lower(), user)
    return [by_address[address] for address in sorted(by_address)]


@shared_task
def notify_managers_of_submission(mou_id):
    """Tell every active manager who may review it (not the one who submitted it) that an MoU waits."""
    mou = MoU.objects.select_related("counterpart", "partner_organisation", "submitted_by").filter(pk=mou_id).first()
    if mou is None or mou.status != MoU.Status.SUBMITTED:
        return 0
    recipients = _one_per_address(
        get_user_model().objects.filter(is_active=True, groups__name=roles.MANAGER).exclude(email="")
        .exclude(pk=mou.submitted_by_id)
    )
    context = {"mou": mou, "link": _link(mou), "duplicates": mou.possible_duplicates().exists()}

    def subject():
        return gettext("MoU to review: %(title)s") % {"title": mou.title[:80]}
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
        recipients = [submitter]
    else:
        recipients = _one_per_address(
            get_user_model().objects.filter(is_active=True, groups__name=roles.PARTNER,
                                             organisation_id=mou.partner_organisation_id).exclude(email="")
        )
    context = {"mou": mou, "link": _link(mou)}

    def subject():
        if mou.status == MoU.Status.APPROVED:
            return gettext("Your MoU was approved: %(title)s") % {"title": mou.title[:80]}
        return gettext("Your MoU was rejected: %(title)s") % {"title": mou.title[:80]}
    _send("alliance/mous/email_decision.txt", subject, context, recipients)
    return len(recipients)
