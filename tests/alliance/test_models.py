import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from alliance.models import AllianceMember, CooperationProject, MoU
from organisations.models import Organisation, Region
from tests.factories import (
    AllianceMemberFactory,
    MoUFactory,
    OrganisationFactory,
    RegionFactory,
)

pytestmark = pytest.mark.django_db


def messages(excinfo, field):
    return " ".join(excinfo.value.message_dict[field])


@pytest.mark.parametrize("code", ["es21", "E", "ES-21", "ES2134", ""])
def test_malformed_nuts_code_is_refused(code):
    region = Region(code=code, name="x", country="ES", level=2)
    with pytest.raises(ValidationError) as excinfo:
        region.full_clean()
    assert "code" in excinfo.value.message_dict


def test_nuts_code_must_belong_to_its_country():
    with pytest.raises(ValidationError) as excinfo:
        Region(code="FR10", name="Île-de-France", country="ES", level=2).full_clean()
    assert "starts with ES" in messages(excinfo, "code")


def test_greek_regions_use_el():
    Region(code="EL30", name="Attiki", country="GR", level=2).full_clean()


def test_region_outside_nuts_keeps_its_own_code():
    Region(code="CABC", name="British Columbia", country="CA", level=2, is_nuts=False).full_clean()


def test_region_code_is_unique_per_nuts_version():
    RegionFactory(code="ES21", nuts_version="2021")
    Region.objects.create(code="ES21", nuts_version="2016", name="País Vasco", country="ES")
    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.create(code="ES21", nuts_version="2021", name="dup", country="ES")


@pytest.mark.parametrize("oid", ["E1234567", "X12345678", "E123456789", "e12345678"])
def test_malformed_erasmus_oid_is_refused(oid):
    with pytest.raises(ValidationError) as excinfo:
        OrganisationFactory.build(erasmus_oid=oid).full_clean()
    assert "E followed by 8 digits" in messages(excinfo, "erasmus_oid")


@pytest.mark.parametrize("pic", ["12345678", "1234567890", "12345678a"])
def test_malformed_pic_is_refused(pic):
    with pytest.raises(ValidationError) as excinfo:
        OrganisationFactory.build(pic=pic).full_clean()
    assert "9 digits" in messages(excinfo, "pic")


def test_valid_oid_and_pic_are_accepted():
    OrganisationFactory.build(erasmus_oid="E10208995", pic="949640498").full_clean()


def test_organisation_with_same_name_and_country_is_refused_whatever_the_case():
    OrganisationFactory(name="TKNIKA", country="ES")
    with pytest.raises(ValidationError) as excinfo:
        Organisation(name="tknika", country="ES", kind="vet").full_clean()
    assert "already registered" in messages(excinfo, "name")
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(name="Tknika", country="ES")
    Organisation(name="TKNIKA", country="FR", kind="vet").full_clean()


def test_organisation_region_must_be_in_its_country():
    region = RegionFactory(code="ES21")
    with pytest.raises(ValidationError) as excinfo:
        OrganisationFactory.build(country="FR", region=region).full_clean()
    assert "not in France" in messages(excinfo, "region")


def test_membership_cannot_end_before_it_began():
    member = AllianceMemberFactory.build(organisation=OrganisationFactory(), joined_on=datetime.date(2024, 5, 1),
                                         left_on=datetime.date(2024, 4, 30))
    with pytest.raises(ValidationError) as excinfo:
        member.full_clean()
    assert "cannot end before it began" in messages(excinfo, "left_on")
    with pytest.raises(IntegrityError), transaction.atomic():
        member.save()


def test_overlapping_memberships_of_one_organisation_are_refused():
    first = AllianceMemberFactory(joined_on=datetime.date(2023, 1, 1), left_on=datetime.date(2024, 1, 1))
    overlapping = AllianceMember(organisation=first.organisation, category="vet", joined_on=datetime.date(2023, 6, 1))
    with pytest.raises(ValidationError) as excinfo:
        overlapping.full_clean()
    assert "already a member" in messages(excinfo, "joined_on")
    # Rejoining after leaving is fine.
    AllianceMember(organisation=first.organisation, category="vet", joined_on=datetime.date(2024, 1, 1)).full_clean()


def test_open_membership_blocks_any_later_one():
    first = AllianceMemberFactory(joined_on=datetime.date(2023, 1, 1))
    with pytest.raises(ValidationError):
        AllianceMember(organisation=first.organisation, category="vet", joined_on=datetime.date(2025, 1, 1)).full_clean()


def test_database_refuses_overlapping_memberships_on_postgresql(django_db_blocker):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the exclusion constraint exists on PostgreSQL only")
    first = AllianceMemberFactory(joined_on=datetime.date(2023, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        AllianceMember.objects.create(organisation=first.organisation, category="vet", joined_on=datetime.date(2023, 3, 1))


def test_active_on_counts_a_membership_from_joining_until_the_day_before_leaving():
    member = AllianceMemberFactory(joined_on=datetime.date(2023, 1, 10), left_on=datetime.date(2024, 1, 10))
    active = AllianceMember.objects.active_on
    assert not active(datetime.date(2023, 1, 9)).filter(pk=member.pk).exists()
    assert active(datetime.date(2023, 1, 10)).filter(pk=member.pk).exists()
    assert active(datetime.date(2024, 1, 9)).filter(pk=member.pk).exists()
    assert not active(datetime.date(2024, 1, 10)).filter(pk=member.pk).exists()


def test_cooperation_project_with_one_participant_is_refused():
    member = AllianceMemberFactory()
    with pytest.raises(ValidationError) as excinfo:
        CooperationProject.validate_participants([member.organisation], datetime.date(2023, 6, 1))
    assert "at least two" in messages(excinfo, "participants")


def test_cooperation_project_participants_must_be_members_when_it_starts():
    a = AllianceMemberFactory(joined_on=datetime.date(2023, 1, 1)).organisation
    b = AllianceMemberFactory(joined_on=datetime.date(2024, 1, 1)).organisation
    with pytest.raises(ValidationError) as excinfo:
        CooperationProject.validate_participants([a, b], datetime.date(2023, 6, 1))
    assert b.name in messages(excinfo, "participants")
    CooperationProject.validate_participants([a, b], datetime.date(2024, 6, 1))


def test_cooperation_project_cannot_end_before_it_starts():
    project = CooperationProject(title="x", lead_organisation=OrganisationFactory(),
                                 started_on=datetime.date(2024, 1, 1), ended_on=datetime.date(2023, 1, 1))
    with pytest.raises(ValidationError) as excinfo:
        project.full_clean()
    assert "ended_on" in excinfo.value.message_dict


def test_mou_signed_in_the_future_is_refused():
    mou = MoUFactory.build(counterpart=OrganisationFactory(), partner_organisation=OrganisationFactory(),
                           signed_on=datetime.date.today() + datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as excinfo:
        mou.full_clean()
    assert "cannot be in the future" in messages(excinfo, "signed_on")


def test_mou_valid_until_must_follow_signing():
    mou = MoUFactory.build(counterpart=OrganisationFactory(), partner_organisation=OrganisationFactory(),
                           signed_on=datetime.date(2024, 3, 1), valid_until=datetime.date(2024, 3, 1))
    with pytest.raises(ValidationError) as excinfo:
        mou.full_clean()
    assert "after the signing date" in messages(excinfo, "valid_until")
    with pytest.raises(IntegrityError), transaction.atomic():
        mou.save()


def test_only_approved_mous_are_countable():
    assert [s for s in MoU.Status if MoUFactory.build(status=s).is_countable()] == [MoU.Status.APPROVED]


def test_possible_duplicates_share_counterpart_and_signing_date():
    mou = MoUFactory()
    twin = MoUFactory(counterpart=mou.counterpart, signed_on=mou.signed_on)
    MoUFactory(counterpart=mou.counterpart, signed_on=datetime.date(2020, 1, 1))
    assert list(mou.possible_duplicates()) == [twin]


@pytest.mark.parametrize(("joined", "left", "refused"), [
    (datetime.date(2023, 6, 1), None, True),                              # inside the first period
    (datetime.date(2022, 6, 1), datetime.date(2023, 1, 2), True),         # ends a day into it
    (datetime.date(2022, 6, 1), datetime.date(2023, 1, 1), False),        # ends the day it begins
    (datetime.date(2024, 1, 1), None, False),                             # begins the day it ends
    (datetime.date(2023, 6, 1), datetime.date(2023, 6, 1), False),        # empty: left the day it joined
])
def test_the_database_refuses_overlapping_memberships_written_around_the_form(joined, left, refused):
    """On every database (an exclusion constraint on PostgreSQL, triggers on SQLite): the alliance members'
    measure counts memberships as organisations, which holds only if one organisation has one at a time."""
    first = AllianceMemberFactory(joined_on=datetime.date(2023, 1, 1), left_on=datetime.date(2024, 1, 1))
    other = AllianceMemberFactory(joined_on=datetime.date(2020, 1, 1), left_on=None)
    if refused:
        with pytest.raises(IntegrityError), transaction.atomic():
            AllianceMember.objects.create(organisation=first.organisation, category="vet", joined_on=joined,
                                          left_on=left)
        # Moving the other organisation's membership onto the first one's period is refused the same way.
        with pytest.raises(IntegrityError), transaction.atomic():
            AllianceMember.objects.filter(pk=other.pk).update(organisation=first.organisation, joined_on=joined,
                                                              left_on=left)
    else:
        AllianceMember.objects.create(organisation=first.organisation, category="vet", joined_on=joined, left_on=left)
    assert AllianceMember.objects.filter(organisation=first.organisation).count() == (1 if refused else 2)
