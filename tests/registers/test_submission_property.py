"""Property test of issue 21's validation: whatever partner editors submit and a coordinator decides, in
any order, every stored snapshot counts the approved versions only.

Random sequences of: a partner editor (of one of three organisations) adds a micro-credential with a
random publication date and EQF level (through the register's page: a submission), changes one of its
organisation's credentials (publication date, EQF level) or retires it (a proposed change of an approved
record, a new submission of a waiting or rejected one), a coordinator approves or rejects a waiting
submission, and the roll-up drains, as the app does. After a final drain, every stored snapshot of the
micro-credentials indicator equals a count made directly on the records (approved, published or retired,
EQF 3 to 6, published by the date and not retired by it) and its breakdown by responsible organisation
equals the same count per awarding body and sums to the total: a pending submission or a proposed
change never counts.
"""

import datetime
from collections import Counter

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from indicators import rollup
from indicators.models import OutboxEntry, Snapshot
from organisations.labels import RESPONSIBLE_ORGANISATION
from registers import submissions
from registers.models import Approval, Submission
from registers.registry import REGISTER_PAGES, loaded
from tests.factories import IndicatorFactory, OrganisationFactory, ProjectFactory, UserFactory
from tests.hypothesis_profiles import examples
from training.models import MicroCredential

pytestmark = pytest.mark.django_db

loaded()
REGISTER = REGISTER_PAGES["training:micro-credential"]
TODAY = timezone.localdate()
START = (TODAY.replace(day=1) - datetime.timedelta(days=200)).replace(day=1)
SPAN = (TODAY - START).days  # event dates up to today (none in the future)
EDITORS = 3


class Rollback(Exception):
    pass


def day(offset):
    return START + datetime.timedelta(days=offset)


editor = st.integers(0, EDITORS - 1)
offset = st.integers(0, SPAN)
eqf = st.integers(2, 7)  # 2 and 7 never count
step = st.one_of(
    st.tuples(st.just("create"), editor, offset, eqf),
    st.tuples(st.just("redate"), editor, st.integers(0, 20), offset),
    st.tuples(st.just("level"), editor, st.integers(0, 20), eqf),
    st.tuples(st.just("retire"), editor, st.integers(0, 20), st.integers(1, 120)),
    st.tuples(st.just("decide"), st.integers(0, 20), st.booleans()),
    st.tuples(st.just("drain"),),
)


def form_data(credential, organisation, **changes):
    """The edit (or create) form's input for ``credential`` (None: a new one), with ``changes``."""
    data = {"title": "Cobot programming", "awarding_body": organisation.pk, "learning_outcomes": "Programme it.",
            "ects": "3.0", "eqf_level": "4", "assessment_type": "Practical", "participation_form": "blended",
            "quality_assurance": "Internal", "status": "published", "published_on": day(0).isoformat(),
            "default_language": "en", "learning_opportunity_type": "course"}
    if credential is not None:
        data.update(title=credential.title, eqf_level=str(credential.eqf_level),
                    published_on=credential.published_on.isoformat(), version=credential.version)
    data.update({key: str(value) for key, value in changes.items()})
    return data


def pick(rows, index):
    return rows[index % len(rows)] if rows else None


class World:
    def __init__(self):
        project = ProjectFactory(code="property", start_on=START, end_on=TODAY + datetime.timedelta(days=400))
        self.indicator = IndicatorFactory(project=project, code="micro-credentials", measure_key="micro-credentials",
                                          target=100, target_date=project.end_on)
        self.organisations = [OrganisationFactory(country="ES") for _ in range(EDITORS)]
        self.editors = []
        for n, organisation in enumerate(self.organisations):
            client = Client()
            client.force_login(UserFactory(username=f"editor{n}", role="partner_editor", organisation=organisation))
            self.editors.append(client)
        self.coordinator = UserFactory(username="coordinator", role="coordinator",
                                       organisation=OrganisationFactory(is_coordinator=True))
        self.created = 0

    def own(self, index):
        organisation = self.organisations[index]
        return organisation, list(MicroCredential.objects.filter(awarding_body=organisation).order_by("pk"))

    def apply(self, action):
        kind = action[0]
        if kind == "create":
            _, index, published, level = action
            self.created += 1
            organisation = self.organisations[index]
            response = self.editors[index].post(REGISTER.url("create"), form_data(
                None, organisation, title=f"Credential {self.created}", published_on=day(published).isoformat(),
                eqf_level=level))
            assert response.status_code == 302, response.context["form"].errors
        elif kind in ("redate", "level"):
            _, index, which, value = action
            organisation, own = self.own(index)
            credential = pick(own, which)
            if credential is None or credential.status != MicroCredential.Status.PUBLISHED:
                return
            change = {"published_on": day(value).isoformat()} if kind == "redate" else {"eqf_level": value}
            response = self.editors[index].post(REGISTER.url("edit", credential.pk),
                                                form_data(credential, organisation, **change))
            assert response.status_code in (200, 302)  # 200: it changes nothing (a form error)
        elif kind == "retire":
            _, index, which, after = action
            organisation, own = self.own(index)
            credential = pick(own, which)
            if credential is None or credential.status != MicroCredential.Status.PUBLISHED:
                return
            retired_on = min(credential.published_on + datetime.timedelta(days=after), TODAY)
            if retired_on <= credential.published_on:
                return
            response = self.editors[index].post(REGISTER.url(REGISTER.status_url_name, credential.pk), {
                "status": "retired", "published_on": credential.published_on.isoformat(),
                "retired_on": retired_on.isoformat(), "version": credential.version})
            assert response.status_code == 302, response.context["form"].errors
        elif kind == "decide":
            _, which, approve = action
            waiting = list(Submission.objects.filter(status=Submission.Status.SUBMITTED).order_by("pk"))
            submission = pick(waiting, which)
            if submission is None:
                return
            try:
                with transaction.atomic():
                    submissions.decide(submission=submission, reviewer=self.coordinator,
                                       decision="approve" if approve else "reject", note="" if approve else "No.")
            except (PermissionDenied, ValidationError):
                pass  # e.g. a change made on a version that changed since: refused, nothing written
        else:
            rollup.drain()


def direct_counts(on):
    """``(total, {awarding body id: count})`` of the approved micro-credentials that count on ``on``, read
    from the records (not through the measure)."""
    counted = Counter()
    for credential in MicroCredential.objects.all():
        if (credential.approval == Approval.APPROVED
                and credential.status in (MicroCredential.Status.PUBLISHED, MicroCredential.Status.RETIRED)
                and 3 <= credential.eqf_level <= 6 and credential.published_on <= on
                and (credential.retired_on is None or credential.retired_on > on)):
            counted[credential.awarding_body_id] += 1
    return sum(counted.values()), dict(counted)


def run(steps):
    cache.clear()  # the roles cached by user id: ids come back after the previous example's rollback
    world = World()
    rollup.backfill()
    OutboxEntry.objects.all().delete()
    for action in steps:
        world.apply(action)
    rollup.drain()
    snapshots = list(Snapshot.objects.filter(indicator=world.indicator).prefetch_related("breakdowns"))
    assert {s.date for s in snapshots} >= {TODAY}
    for snapshot in snapshots:
        total, by_organisation = direct_counts(snapshot.date)
        assert snapshot.value == total, (snapshot.date, steps)
        rows = {int(b.key): b.value for b in snapshot.breakdowns.all()
                if b.dimension == RESPONSIBLE_ORGANISATION and b.value}
        assert rows == by_organisation, (snapshot.date, steps)
        assert sum(rows.values()) == snapshot.value
    # What is waiting never counts: the approved versions are what the snapshot of today counts.
    pending = MicroCredential.objects.exclude(approval=Approval.APPROVED).count()
    today = Snapshot.objects.get(indicator=world.indicator, date=TODAY).value
    assert today <= MicroCredential.objects.count() - pending


@settings(max_examples=examples(12), deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(step, min_size=1, max_size=14))
def test_snapshots_count_the_approved_versions_only(steps):
    try:
        with transaction.atomic():
            run(steps)
            raise Rollback
    except Rollback:
        pass


def test_a_sequence_with_every_kind_of_step():
    """One known sequence: a created credential, approved, re-dated by a proposed change (waiting: the old date
    counts), the change approved (the new date counts), another rejected, one retired."""
    steps = [("create", 0, 10, 4), ("create", 1, 20, 5), ("create", 2, 30, 2), ("decide", 0, True),
             ("decide", 0, False), ("drain",), ("redate", 0, 0, 60), ("drain",), ("decide", 1, True),
             ("retire", 0, 0, 30), ("decide", 1, True), ("create", 0, 40, 3), ("level", 0, 0, 7)]
    try:
        with transaction.atomic():
            run(steps)
            assert MicroCredential.objects.filter(approval=Approval.APPROVED).exists()
            assert MicroCredential.objects.filter(approval=Approval.REJECTED).exists()
            # The re-dating and the retirement were proposed changes, applied once approved.
            assert Submission.objects.filter(kind=Submission.Kind.CHANGE, status=Submission.Status.APPROVED).count() == 2
            first = MicroCredential.objects.get(title="Credential 1")
            assert (first.published_on, first.status) == (day(60), MicroCredential.Status.RETIRED)
            assert Snapshot.objects.filter(value=1).exists()
            raise Rollback
    except Rollback:
        pass
