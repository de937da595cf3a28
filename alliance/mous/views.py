"""The MoU pages: partners submit and follow their MoUs, managers review them.

The list and its export are a ``Register`` (``registers.pages``) with pages of their own: partners
see their organisation's MoUs; reviewers the queue waiting for review, then every MoU with the
filters of ``MoUFilterForm``, 25 a page, exported as CSV or XLSX with the registers' cells (the
PDFs stay behind each MoU's page). Submitting, the detail, the review and withdrawing are views
of their own around ``services``.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts import roles
from registers import pages, reviews
from registers.access import safe_next
from registers.forms import add_errors

from .. import services
from ..models import MoU
from .forms import MoUFilterForm, MoUForm, ReviewForm


def _visible_mou(request, pk):
    """The MoU if the user may see it; another organisation's MoU does not exist for them."""
    queryset = MoU.objects.visible_to(request.user).select_related(
        "counterpart", "counterpart__region", "partner_organisation", "submitted_by", "reviewed_by")
    return get_object_or_404(queryset, pk=pk)


def _may_submit(user):
    return roles.is_manager(user) or (roles.is_partner_editor(user) and user.organisation_id is not None)


def _may_withdraw(user, mou):
    return mou.status == MoU.Status.SUBMITTED and (
        mou.submitted_by_id == user.pk
        or (roles.is_partner_editor(user) and mou.partner_organisation_id == user.organisation_id)
    )


class MoUListView(pages.ListView):
    """A partner's page of their organisation's MoUs; for reviewers, the queue waiting for review
    (oldest first, each with its duplicate flag), then every MoU filtered, searched and sorted."""

    template_kind = "list_review"
    content_template_kind = "list_review_content"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and roles.is_partner(request.user):
            return self.partner_page(request)
        return super().dispatch(request, *args, **kwargs)

    def partner_page(self, request):
        # Counted exactly: one organisation's MoUs are few, and the planner's estimate of them may be far off.
        page = Paginator(self.register.queryset_for(request), self.register.page_size).get_page(
            request.GET.get("page"))
        return self.register.render(request, "list_partner", {"page": page, "may_submit": _may_submit(request.user)})

    def viewer(self, request):
        return {"may_submit": _may_submit(request.user), "may_review": roles.can_review(request.user)}

    def list_queryset(self, queryset):
        return queryset.with_duplicate_flag()

    def context(self, request, viewer):
        # Both lists are pages: a deployment may hold a million MoUs, thousands of them waiting, and
        # neither is counted row by row above EXACT_COUNT_BELOW (registers.counting).
        context = super().context(request, viewer)
        queue = (self.register.queryset_for(request).filter(status=MoU.Status.SUBMITTED).with_duplicate_flag()
                 .order_by("submitted_at", "id"))
        queue_query = request.GET.copy()
        queue_query.pop("queue_page", None)
        export_query = queue_query.copy()
        export_query.pop("page", None)
        return {**context, "queue_page": self.paginate(request, queue, "queue_page"),
                "queue_query": queue_query.urlencode(), "export_query": export_query.urlencode()}


class MoURegister(pages.Register):
    """The MoUs a user may see (``MoU.objects.visible_to``): staff, managers and admins every one,
    a partner their organisation's (the list only: the export, like the registers', is for readers
    of every record)."""

    list_view_class = MoUListView

    def queryset_for(self, request):
        return self.queryset().visible_to(request.user)


mous = MoURegister(
    model=MoU, name="mou", slug="mous", namespace="alliance", form_class=MoUForm, columns=[],
    filter_form_class=MoUFilterForm, select_related=("counterpart", "partner_organisation"),
    title_plural=_("MoUs"), template_dir="alliance/mous", page_size=25, in_index=False,
    export_fields=(
        ("id", "pk"),
        ("title", "title"),
        ("partner_organisation", "partner_organisation"),
        ("counterpart", "counterpart"),
        ("counterpart_country", "counterpart__country"),
        ("signed_on", "signed_on"),
        ("valid_until", "valid_until"),
        ("areas", "areas"),
        ("scope", "scope"),
        ("signatories", "signatories"),
        ("status", "status"),
        ("submitted_at", "submitted_at"),
        ("reviewed_at", "reviewed_at"),
        ("review_note", "review_note"),
        ("document_name", "document_name"),
    ),
)


def _submitted_message(user, mou):
    if mou.replayed:
        return _("This MoU was already submitted with this form; it was not registered a second time.")
    if roles.is_partner(user):
        return _("Your MoU was submitted. A manager will review it; you will get an e-mail with the decision.")
    return _("The MoU is registered for %(organisation)s. Another manager reviews it before it counts: nobody "
             "approves an MoU they registered themselves.") % {"organisation": mou.partner_organisation.name}


@login_required
def mou_create(request):
    user = request.user
    if not _may_submit(user):
        raise PermissionDenied
    may_pick = roles.is_manager(user)
    left = services.mou_submissions_left(user=user)
    rate_message = services.MOU_RATE_LIMIT_MESSAGE.format(limit=settings.MOU_SUBMISSIONS_PER_HOUR)
    next_url = safe_next(request) or ""
    context = {"next": next_url, "for_manager": may_pick, "rate_limited": left <= 0}
    if request.method == "POST":
        form = MoUForm(request.POST, request.FILES, user=user, may_pick_organisation=may_pick)
        if left <= 0 and not services.mou_already_submitted(user=user, key=request.POST.get("submission_token")):
            form.add_error(None, rate_message)
            return render(request, "alliance/mous/form.html", {**context, "form": form}, status=429)
        if form.is_valid():
            try:
                mou = form.submit()
            except services.DuplicateMoU as error:
                add_errors(form, error)
                context["duplicate_of"] = error.existing
            except ValidationError as error:
                add_errors(form, error)
            else:
                (messages.info if mou.replayed else messages.success)(request, _submitted_message(user, mou))
                return redirect(next_url or reverse("alliance:mou-detail", args=[mou.pk]))
        return render(request, "alliance/mous/form.html", {**context, "form": form}, status=400)
    form = MoUForm(user=user, may_pick_organisation=may_pick)
    if left <= 0:
        messages.error(request, rate_message)
    return render(request, "alliance/mous/form.html", {**context, "form": form})


def _render_detail(request, mou, reject_form=None, approve_form=None, status=200):
    user = request.user
    duplicates = []
    if roles.can_review(user) or roles.can_view_registers(user):
        duplicates = list(mou.possible_duplicates().visible_to(user).select_related("partner_organisation"))
    own = mou.status == MoU.Status.SUBMITTED and roles.can_review(user) and mou.is_own_submission(user)
    return render(request, "alliance/mous/detail.html", {
        "mou": mou,
        "duplicates": duplicates,
        "may_review": reviews.may_review(obj=mou, reviewer=user),
        "own_submission": own,
        "may_withdraw": _may_withdraw(user, mou),
        "approve_form": approve_form or ReviewForm(prefix="approve"),
        "reject_form": reject_form or ReviewForm(prefix="reject"),
    }, status=status)


@login_required
def mou_detail(request, pk):
    return _render_detail(request, _visible_mou(request, pk))


@login_required
def mou_document(request, pk):
    mou = _visible_mou(request, pk)
    if not mou.document:
        raise Http404(_("This MoU has no document."))
    try:
        handle = mou.document.open("rb")
    except FileNotFoundError as error:
        raise Http404(_("The document is missing.")) from error
    response = FileResponse(handle, as_attachment=True, filename=mou.document_filename,
                            content_type="application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _review(request, pk, decision):
    """Approve or reject from the detail page: the one review workflow decides who may and when."""
    mou = _visible_mou(request, pk)
    if not roles.can_review(request.user):
        raise PermissionDenied
    prefix = "approve" if decision == reviews.Decision.APPROVE else "reject"
    form = ReviewForm(request.POST, prefix=prefix)
    forms = {f"{prefix}_form": form}
    if not form.is_valid():
        return _render_detail(request, mou, **forms, status=400)
    try:
        services.mou_review(mou=mou, reviewer=request.user, decision=decision, note=form.cleaned_data["review_note"],
                            not_duplicate=form.cleaned_data["not_duplicate"])
    except reviews.ReviewRefused as refused:
        messages.error(request, refused.message)
        return _render_detail(request, mou, status=403)
    except ValidationError as error:
        if "status" in getattr(error, "error_dict", {}):
            # Decided meanwhile: nothing to fix in the form.
            messages.error(request, " ".join(error.messages))
            return redirect("alliance:mou-detail", pk=mou.pk)
        add_errors(form, error)
        return _render_detail(request, mou, **forms, status=400)
    if decision == reviews.Decision.APPROVE:
        messages.success(request, _("The MoU is approved; it now counts in the MoU indicator."))
    else:
        messages.success(request, _("The MoU is rejected; the partner will read your reason."))
    return redirect("alliance:mou-detail", pk=mou.pk)


@login_required
@require_POST
def mou_approve(request, pk):
    return _review(request, pk, reviews.Decision.APPROVE)


@login_required
@require_POST
def mou_reject(request, pk):
    return _review(request, pk, reviews.Decision.REJECT)


@login_required
@require_POST
def mou_withdraw(request, pk):
    mou = _visible_mou(request, pk)
    if not _may_withdraw(request.user, mou):
        if mou.status != MoU.Status.SUBMITTED and (roles.is_partner(request.user) or mou.submitted_by_id == request.user.pk):
            messages.error(request, _("Only a submitted MoU can be withdrawn."))
            return redirect("alliance:mou-detail", pk=mou.pk)
        raise PermissionDenied
    try:
        services.mou_withdraw(mou=mou, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The MoU is withdrawn."))
    return redirect("alliance:mou-detail", pk=mou.pk)
