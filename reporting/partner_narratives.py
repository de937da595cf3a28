"""Partner narratives: a partner organisation's note on its contribution to an indicator in a period.

A partner editor writes its own organisation's note while the period is open; partner viewers
read it; coordinators, staff and admins read every organisation's, next to the indicator's
narrative, and a coordinator may quote one into that narrative. The period's report lists them
by organisation. The text is Markdown, rendered sanitised like a narrative (``narratives.render``).
"""

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from indicators.models import Indicator

from .models import PartnerNarrative, ReportingPeriod
from .periods import narratives_changed

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


def may_write(user: "User | AnonymousUser") -> bool:
    """Only a partner editor with an organisation writes notes, and only its organisation's."""
    return roles.is_partner_editor(user) and getattr(user, "organisation_id", None) is not None


def refusal(period: ReportingPeriod) -> str:
    """Why notes of ``period`` cannot change now, or "" while it is open."""
    if period.is_closed:
        return _("The period is closed: its partner notes can no longer change.")
    if period.state != ReportingPeriod.State.OPEN:
        return _("The period is in review: partner notes are written while a period is open.")
    return ""


def visible(user: "User | AnonymousUser", notes: QuerySet[PartnerNarrative]) -> QuerySet[PartnerNarrative]:
    """The notes ``user`` may read: every organisation's for coordinators, staff and admins; a
    partner's own organisation's only; nothing for anybody else."""
    if roles.can_view_registers(user):
        return notes
    organisation_id = roles.partner_organisation_id(user)
    if organisation_id is None:
        return notes.none()
    return notes.filter(organisation_id=organisation_id)


def for_indicator(period: ReportingPeriod, indicator: Indicator,
                  user: "User | AnonymousUser") -> list[PartnerNarrative]:
    """The notes on ``indicator`` in ``period`` that ``user`` may read, by organisation (one query)."""
    notes = PartnerNarrative.objects.filter(period=period, indicator=indicator).select_related(
        "organisation", "author").order_by("organisation__name", "pk")
    return list(visible(user, notes))


def by_organisation(period: ReportingPeriod) -> list[tuple[object, list[PartnerNarrative]]]:
    """Every note of ``period`` grouped by organisation (for the report's annex): one query."""
    groups: dict[int, tuple[object, list[PartnerNarrative]]] = {}
    for note in PartnerNarrative.objects.filter(period=period).select_related("organisation", "indicator").order_by(
            "organisation__name", "organisation_id", "indicator__order", "indicator__code"):
        groups.setdefault(note.organisation_id, (note.organisation, []))[1].append(note)
    return list(groups.values())


def quote(note: PartnerNarrative) -> str:
    """The note as a Markdown quotation naming its organisation, to append to a narrative."""
    lines = [f"> {line}".rstrip() for line in note.text.strip().splitlines()]
    return "\n".join([*lines, ">", f"> — {note.organisation.name}"])


def partner_narrative_save(*, period: ReportingPeriod, indicator: Indicator, organisation_id: int | None,
                           user: "User", text: str | None) -> PartnerNarrative:
    """Create or update ``organisation``'s note on ``indicator`` in ``period``.

    Refused (nothing written): a user who is not a partner editor (403), another organisation
    than the user's, an indicator of another project, a period that is not open, an empty or too
    long text (ValidationError).
    """
    if not may_write(user):
        raise PermissionDenied(_("Only a partner editor writes its organisation's contribution notes."))
    if organisation_id != user.organisation_id:
        raise ValidationError(_("You write the notes of your own organisation only."))
    if indicator.project_id != period.project_id:
        raise ValidationError(_("This indicator is not part of the period's project."))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the note.")})
    if len(text) > PartnerNarrative.MAX_LENGTH:
        raise ValidationError({"text": _("A note has at most %(max)s characters.")
                               % {"max": f"{PartnerNarrative.MAX_LENGTH:,}"}})
    with transaction.atomic():
        period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
        refused = refusal(period)
        if refused:
            raise ValidationError(refused)
        note = PartnerNarrative.objects.select_for_update().filter(
            period=period, indicator=indicator, organisation_id=organisation_id).first() or PartnerNarrative(
            period=period, indicator=indicator, organisation_id=organisation_id)
        note.text = text
        note.author = user
        note.updated_at = timezone.now()
        note.save()
        narratives_changed()
    return note
