"""The review inbox page (``reporting.inbox``): coordinators review, staff read, partners follow theirs.

Coordinators see everything waiting, oldest first, and approve or reject one item or the ticked
ones at once (a rejection needs its reason; an item refused -- their own submission, one not ready
-- is named with the reason and the others go through). EARLALL staff read the same list without
the buttons. A partner finds its own organisation's submissions in every state, newest first,
with the reason of a rejection and the page to fix it. Anybody else: 403.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from accounts import roles
from organisations.models import Organisation
from registers import pagecache, reviews
from registers.validators import validate_no_control_characters

from . import inbox

MAX_KEYS = 200


class DecisionForm(forms.Form):
    """Approve or reject the ticked items (``keys``), or the one item of a row's button (``one``:
    "approve mou:12")."""

    decision = forms.ChoiceField(choices=reviews.Decision.choices, required=False)
    reason = forms.CharField(validators=[validate_no_control_characters], label=_("Reason (for a rejection: the submitter reads it)"), required=False,
                             max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        one = (self.data.get("one") or "").split()
        if one:
            if len(one) != 2 or one[0] not in reviews.Decision.values:
                raise ValidationError(gettext("Choose approve or reject."))
            data["decision"], keys = one[0], [one[1]]
        else:
            keys = self.data.getlist("keys") if hasattr(self.data, "getlist") else []
        if not data.get("decision"):
            raise ValidationError(gettext("Choose approve or reject."))
        if not keys:
            raise ValidationError(gettext("Tick the items to approve or reject."))
        if len(keys) > MAX_KEYS:
            raise ValidationError(gettext("Decide at most %(count)d items at once.") % {"count": MAX_KEYS})
        for key in keys:
            inbox.parse_key(key)  # a ValidationError names the bad one
        data["keys"] = keys
        if data["decision"] == reviews.Decision.REJECT and not (data.get("reason") or "").strip():
            self.add_error("reason", gettext("Give the reason for the rejection: the submitter will read it."))
        return data


def _organisations():
    return list(Organisation.objects.filter(is_consortium_partner=True).order_by("name").values_list("pk", "name"))


# Where the cached list's forms carry the requesting user's CSRF token (a cached page never holds one).
CSRF_SLOT = "csrf-slot-9b1e4c"


def _waiting_page(request, decision_form=None, status=200):
    reviewer = inbox.may_review(request.user)
    filter_form = inbox.FilterForm(request.GET or None, organisations=_organisations())
    params = request.GET.copy()
    params.pop("page", None)
    context = {"mode": "review", "can_review": reviewer, "filter_form": filter_form, "page": None, "items": None,
               "decision_form": decision_form or DecisionForm(), "page_query": params.urlencode(),
               "user_id": request.user.pk}
    if filter_form.is_bound and not filter_form.is_valid():
        return render(request, "reporting/inbox.html", context, status=400)
    filters = inbox.Filters.from_form(filter_form) if filter_form.is_bound else inbox.Filters()

    def list_context():
        page, items = inbox.page_of(inbox.rows(filters), request.GET.get("page"))
        return {**context, "page": page, "items": items}

    if decision_form is not None:  # a refused decision: its errors are this request's own
        context = list_context()
        return render(request, "reporting/inbox.html", context, status=status)

    built = {}

    def build():
        built.update(list_context())
        return render_to_string("reporting/_inbox_list.html", {**built, "csrf_token": CSRF_SLOT})

    # The list is the same for every request of this viewer until a reviewable record changes (the
    # generations of what it shows): cached like the register lists, the CSRF token put in afterwards.
    html = pagecache.cached("reporting:inbox", request, build, models=inbox.shown_models(),
                            vary=[reviewer, request.user.pk])
    context["list_html"] = mark_safe(html.replace(CSRF_SLOT, get_token(request)))  # noqa: S308 - our own HTML
    if built and not params:
        context["inbox_waiting"] = built["page"].paginator.count  # the header's count: the list's, counted once
    return render(request, "reporting/inbox.html", context, status=status)


def _partner_page(request):
    organisation = request.user.organisation_id
    page = items = None
    if organisation is not None:
        page, items = inbox.page_of(inbox.rows(inbox.Filters(), status=None, organisation=organisation,
                                               partners=True, newest_first=True), request.GET.get("page"))
    return render(request, "reporting/inbox.html", {"mode": "partner", "page": page, "items": items,
                                                    "page_query": ""})


def _decide(request):
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _waiting_page(request, form, status=400)
    data = form.cleaned_data
    outcome = inbox.decide(keys=data["keys"], reviewer=request.user, decision=data["decision"],
                           note=data.get("reason", ""))
    if outcome.decided:
        count = len(outcome.decided)
        if data["decision"] == reviews.Decision.APPROVE:
            text = ngettext("%(count)d item approved.", "%(count)d items approved.", count)
        else:
            text = ngettext("%(count)d item rejected.", "%(count)d items rejected.", count)
        messages.success(request, text % {"count": count})
    for title, why in outcome.refused:
        messages.error(request, gettext("%(item)s: not decided. %(why)s") % {"item": title, "why": why})
    query = request.GET.urlencode()
    return redirect(request.path + (f"?{query}" if query else ""))


@require_http_methods(["GET", "POST"])
@login_required
def inbox_view(request):
    user = request.user
    if request.method == "POST":
        if not inbox.may_review(user):
            raise PermissionDenied
        return _decide(request)
    if inbox.may_read_waiting(user):
        return _waiting_page(request)
    if roles.is_partner(user):
        return _partner_page(request)
    raise PermissionDenied
