"""Services of reported values: submit with evidence, approve or reject (managers of other organisations).

An approved report moves its indicator: the engine's signals queue a roll-up when the
transaction commits. Keyword-only arguments; the API calls the same functions.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import roles
from registers import uploads

from .models import Report


def check_evidence_file(upload):
    """Refuse an evidence file too large, of another type, or whose content is not what its name says."""
    uploads.validate_evidence(upload)


def may_review(user, report):
    """Managers review reports of organisations other than their own, and never one they made
    themselves (a manager may report for another organisation); admins review any."""
    if roles.is_admin(user):
        return True
    return (roles.can_review(user) and user.organisation_id != report.organisation_id
            and report.reported_by_id != user.pk)


@transaction.atomic
def report_submit(*, report, user, evidence_file=None):
    """Record a reported value (status submitted) with its evidence: a file, a URL, or both."""
    if evidence_file is not None:
        check_evidence_file(evidence_file)
        report.evidence_file = evidence_file
    if not report.evidence_file and not report.evidence_url:
        raise ValidationError({"evidence_url": "Give the evidence: upload a file or give its URL."})
    report.status = Report.Status.SUBMITTED
    report.reported_by = user
    report.full_clean()
    report._history_user = user
    report.save()
    return report


def _review(report, reviewer, status, note):
    report = Report.objects.select_for_update().get(pk=report.pk)
    if not may_review(reviewer, report):
        raise ValidationError("A report is reviewed by a manager of another organisation.")
    if report.status != Report.Status.SUBMITTED:
        raise ValidationError({"status": f"Only a submitted report can be reviewed; this one is "
                                         f"{report.get_status_display().lower()}."})
    report.status = status
    report.reviewed_by = reviewer
    report.reviewed_at = timezone.now()
    report.review_note = note
    report.version += 1
    report._history_user = reviewer
    report.save()
    return report


@transaction.atomic
def report_approve(*, report, reviewer, note=""):
    """Approve a submitted report: from then on its value counts."""
    return _review(report, reviewer, Report.Status.APPROVED, (note or "").strip())


@transaction.atomic
def report_reject(*, report, reviewer, note):
    """Reject a submitted report, with the reason its author will read."""
    if not (note or "").strip():
        raise ValidationError({"review_note": "Give the reason for the rejection."})
    return _review(report, reviewer, Report.Status.REJECTED, note.strip())
