"""The MoUs waiting for a manager's review, for the reminder e-mails (``registers.review_queues``)."""

from django.urls import reverse
from django.utils.translation import gettext

from registers import l10n
from registers.review_queues import InboxItem, InboxSource, WaitingItem, inbox, line, review_queues

from . import services
from .models import MoU


def _mou_line(mou):
    """"MoU: <title> (<partner>)" in the active language (the recipient's)."""
    label = gettext("MoU")
    return f"{label}: {mou.title} ({mou.partner_organisation})"


def mous_waiting(older_than):
    mous = MoU.objects.filter(status=MoU.Status.SUBMITTED, submitted_at__lt=older_than).select_related(
        "partner_organisation").order_by("submitted_at", "pk")
    return [WaitingItem(f"mou:{mou.pk}", line(_mou_line, mou),
                        reverse("alliance:mou-detail", args=[mou.pk]), mou.submitted_at) for mou in mous]


review_queues.register("mous", mous_waiting, review_page="alliance:mou-list")


# --- The review inbox (``reporting.inbox``): MoUs next to the partners' other submissions. ---


def _mou_items(page):
    found = []
    for mou in page:
        url = reverse("alliance:mou-detail", args=[mou.pk])
        evidence = []
        if mou.document:
            evidence.append((gettext("Signed document"), reverse("alliance:mou-document", args=[mou.pk])))
        evidence.append((gettext("Record's page"), url))
        user = mou.submitted_by
        found.append(InboxItem(
            key=f"mou:{mou.pk}", source="mou", register="mou", register_label=str(MoU._meta.verbose_name_plural),
            organisation_id=mou.partner_organisation_id, organisation_name=mou.partner_organisation.name,
            title=mou.title, url=url, status=mou.status, status_label=mou.get_status_display(),
            submitted_at=mou.submitted_at, submitted_by_id=mou.submitted_by_id,
            submitted_by=(user.get_full_name() or user.get_username()) if user else "",
            kind_label=str(MoU._meta.verbose_name),
            facts=[(str(MoU._meta.get_field("counterpart").verbose_name).capitalize(), mou.counterpart.name),
                   (str(MoU._meta.get_field("signed_on").verbose_name).capitalize(), l10n.short_date(mou.signed_on))],
            evidence=evidence, review_note=mou.review_note,
            fix_url=reverse("alliance:mou-create") if mou.status == MoU.Status.REJECTED else "", obj=mou))
    return found


def _mou_decide(obj, reviewer, decision, note):
    return services.mou_review(mou=obj, reviewer=reviewer, decision=decision, note=note)


inbox.register(InboxSource(
    name="mou", label=MoU._meta.verbose_name_plural, queryset=lambda: MoU.objects.all(), items=_mou_items,
    decide=_mou_decide, organisation_field="partner_organisation",
    select_related=("partner_organisation", "counterpart", "submitted_by")))
