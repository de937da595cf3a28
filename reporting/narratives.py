"""Narratives: what managers say about an indicator in a period; rendered safely, with history.

Markdown is rendered by markdown-it (raw HTML disabled) and the result sanitised again
by nh3 (an allow-list of tags, no attributes but a link's ``href``): a narrative can
carry no script, style or event handler whatever is typed.
"""

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import nh3
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from markdown_it import MarkdownIt

from accounts import roles
from indicators.models import Indicator
from indicators.period_source import NarrativeParts, PublicNarrative
from registers.records import field_label

from .models import Narrative, NarrativeComment, ReportingPeriod
from .periods import narratives_changed

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

SELF_REVIEW_MESSAGE = _lazy("You wrote this narrative (its latest version), so you cannot mark it reviewed: "
                            "another manager or coordinator reviews it.")

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).disable("image")
ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "code", "pre", "blockquote", "h3", "h4", "h5",
                "h6"}


def render(text: str | None) -> SafeString | str:
    """The Markdown ``text`` as safe HTML (headings shifted below the page's own)."""
    if not text or not text.strip():
        return ""
    html = _markdown.render(text)
    for level in (6, 5, 4, 3, 2, 1):
        shifted = min(level + 2, 6)
        html = html.replace(f"<h{level}>", f"<h{shifted}>").replace(f"</h{level}>", f"</h{shifted}>")
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href"}}, url_schemes={"http", "https", "mailto"},
                      link_rel="noopener noreferrer nofollow")
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above


def parts(narrative: Narrative | None) -> NarrativeParts:
    """[(label, rendered html)] of the narrative's non-empty parts."""
    if narrative is None:
        return []
    return [(field_label(Narrative, name).capitalize(), render(getattr(narrative, name)))
            for name in Narrative.PARTS if (getattr(narrative, name) or "").strip()]


def can_read(user: "User | AnonymousUser", narrative: Narrative) -> bool:
    """Staff, managers and admins read every narrative; anybody else only public ones of public indicators."""
    if roles.can_view_dashboard(user):
        return True
    return narrative.visible_to_public()


def latest_for(indicator: Indicator, user: "User | AnonymousUser") -> Narrative | None:
    """The indicator's latest narrative the user may read (by the period's end), or None."""
    narratives = Narrative.objects.filter(indicator=indicator).select_related("period", "indicator") \
        .order_by("-period__end_on", "-updated_at")
    if not roles.can_view_dashboard(user):
        if not indicator.is_public:
            return None
        narratives = narratives.filter(is_public=True)
    return narratives.first()


# --- Writes ----------------------------------------------------------------------------

def narrative_save(*, indicator: Indicator, period: ReportingPeriod, user: "User", data: Mapping[str, Any],
                   version: int | str | None = None) -> Narrative:
    """Create or update the indicator's narrative for the period (managers; never in a closed period).

    ``version`` is the version the form was read at: a stale edit is refused.
    """
    if not roles.can_edit_registers(user):
        raise PermissionDenied
    if indicator.project_id != period.project_id:
        raise ValidationError(_("This indicator is not part of the period's project."))
    with transaction.atomic():
        period.refresh_from_db(fields=["state"])
        if period.is_closed:
            raise ValidationError(_("The period is closed: its narratives can no longer change."))
        narrative = Narrative.objects.select_for_update().filter(indicator=indicator, period=period).first()
        if narrative is None:
            narrative = Narrative(indicator=indicator, period=period)
        elif version is not None and int(version) != narrative.version:
            raise ValidationError(_("Somebody changed this narrative since you opened it: reload and try again."))
        else:
            narrative.version += 1
        for name in (*Narrative.PARTS, "is_public"):
            if name in data:
                setattr(narrative, name, data[name])
        narrative.written_by = user
        narrative.updated_at = timezone.now()
        # An edit after a review needs a new review.
        narrative.reviewed_by = None
        narrative.reviewed_at = None
        narrative.full_clean()
        narrative.save()
        narratives_changed()
    return narrative


def narrative_mark_reviewed(*, narrative: Narrative, user: "User") -> Narrative:
    """Staff or a manager marks a narrative reviewed; never its writer (the review workflow's rule:
    nobody reviews what they submitted)."""
    if not roles.can_view_dashboard(user):
        raise PermissionDenied
    with transaction.atomic():
        narrative = Narrative.objects.select_for_update().select_related("period").get(pk=narrative.pk)
        if narrative.period.is_closed:
            raise ValidationError(_("The period is closed: its narratives can no longer change."))
        if narrative.is_written_by(user):
            raise ValidationError(SELF_REVIEW_MESSAGE, code="own_narrative")
        narrative.reviewed_by = user
        narrative.reviewed_at = timezone.now()
        narrative.save(update_fields=["reviewed_by", "reviewed_at"])
    return narrative


def narrative_comment_add(*, narrative: Narrative, user: "User", body: str | None) -> NarrativeComment:
    """Staff or a manager comments on a narrative."""
    if not roles.can_view_dashboard(user):
        raise PermissionDenied
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write a comment.")})
    if len(body) > 4000:
        raise ValidationError({"body": _("A comment has at most 4,000 characters.")})
    return NarrativeComment.objects.create(narrative=narrative, author=user, body=body)


def public_latest() -> list[PublicNarrative]:
    """The latest public narrative of each public indicator, for the public page (one query)."""
    latest: dict[int, Narrative] = {}
    for narrative in Narrative.objects.filter(is_public=True, indicator__is_public=True).select_related(
            "indicator", "period").order_by("indicator__order", "indicator__code", "-period__end_on"):
        latest.setdefault(narrative.indicator_id, narrative)
    return [{"narrative": n, "parts": parts(n)} for n in latest.values()]
