"""Submitting an MoU through /mous/new/: what is accepted, and every bad input refused with nothing written."""

import datetime

import pytest
from django.core import mail
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from alliance import services
from alliance.models import MoU
from organisations.models import Organisation
from tests.alliance.mou_helpers import mou_post_data, pdf_upload, stored_files
from tests.alliance.pdf_samples import make_pdf
from tests.factories import MoUFactory, OrganisationFactory, RegionFactory, UserFactory

URL = reverse("alliance:mou-create")


@pytest.fixture
def counterpart(db):
    return OrganisationFactory(name="Siemens Gamesa", country="ES", kind=Organisation.Kind.COMPANY)


@pytest.fixture(autouse=True)
def _managers_with_mail(manager_user):
    """A manager with an address, so that submissions have somebody to notify."""
    return manager_user


def assert_nothing_written(organisations_before):
    assert MoU.objects.count() == 0
    assert Organisation.objects.count() == organisations_before
    assert stored_files() == []


def test_a_partner_submits_an_mou_and_sees_what_was_submitted(partner_client, partner_user, counterpart,
                                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = partner_client.post(URL, mou_post_data(counterpart))
    mou = MoU.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("alliance:mou-detail", args=[mou.pk])
    assert mou.status == MoU.Status.SUBMITTED
    assert mou.partner_organisation == partner_user.organisation
    assert mou.submitted_by == partner_user
    assert mou.counterpart == counterpart
    assert mou.document_name == "signed-mou.pdf"
    # The stored name is generated, under the private root, and holds the uploaded bytes.
    [stored] = stored_files()
    assert stored.name != "signed-mou.pdf" and stored.suffix == ".pdf"
    assert stored.read_bytes() == make_pdf()

    page = partner_client.get(response["Location"])
    text = page.content.decode()
    for shown in ("MoU on robotics training", "Joint courses on collaborative robots.", "Siemens Gamesa",
                  "1 March 2024", "1 March 2027", "Ana Etxeberria, Director", "signed-mou.pdf", "Submitted"):
        assert shown in text
    assert "Your MoU was submitted" in text


def test_managers_get_an_email_on_a_new_submission(partner_client, counterpart, manager_user,
                                                   django_capture_on_commit_callbacks):
    second = UserFactory(username="manager2", role="manager")
    UserFactory(username="inactive-manager", role="manager", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        partner_client.post(URL, mou_post_data(counterpart))
    assert sorted(m.to[0] for m in mail.outbox) == sorted([manager_user.email, second.email])
    assert "MoU on robotics training" in mail.outbox[0].subject
    assert f"/mous/{MoU.objects.get().pk}/" in mail.outbox[0].body


def test_a_partner_cannot_bring_an_mou_for_another_organisation(partner_client, partner_user, counterpart,
                                                                other_organisation):
    partner_client.post(URL, mou_post_data(counterpart, partner_organisation=other_organisation.pk))
    assert MoU.objects.get().partner_organisation == partner_user.organisation


def test_a_manager_picks_the_bringing_organisation(manager_client, counterpart, other_organisation):
    response = manager_client.post(URL, mou_post_data(counterpart, partner_organisation=other_organisation.pk))
    assert response.status_code == 302
    assert MoU.objects.get().partner_organisation == other_organisation


def test_a_new_counterpart_is_created_with_its_details(partner_client):
    region = RegionFactory()
    response = partner_client.post(URL, mou_post_data(
        new_counterpart_name="Mondragon Assembly", new_counterpart_kind="company", new_counterpart_country="ES",
        new_counterpart_region=region.pk, new_counterpart_website="https://example.org"))
    assert response.status_code == 302
    counterpart = MoU.objects.get().counterpart
    assert (counterpart.name, counterpart.kind, str(counterpart.country), counterpart.region, counterpart.website) == (
        "Mondragon Assembly", "company", "ES", region, "https://example.org")


def test_a_new_counterpart_matching_a_registered_one_is_offered_instead(partner_client, counterpart):
    before = Organisation.objects.count()
    response = partner_client.post(URL, mou_post_data(
        new_counterpart_name="  siemens GAMESA ", new_counterpart_kind="company", new_counterpart_country="ES"))
    assert response.status_code == 400
    assert "Siemens Gamesa in Spain is already registered" in response.content.decode()
    assert response.context["form"]["counterpart"].value() == str(counterpart.pk)
    assert_nothing_written(before)


def test_the_same_name_in_another_country_is_a_new_organisation(partner_client, counterpart):
    partner_client.post(URL, mou_post_data(new_counterpart_name="Siemens Gamesa", new_counterpart_kind="company",
                                           new_counterpart_country="DE"))
    assert str(MoU.objects.get().counterpart.country) == "DE"


def test_the_reviewer_sees_a_possible_duplicate(manager_client, counterpart, partner_organisation_mou,
                                                other_organisation):
    response = manager_client.post(URL, mou_post_data(counterpart, signed_on="2024-03-01",
                                                      partner_organisation=other_organisation.pk))
    page = manager_client.get(response["Location"])
    assert "Possible duplicate" in page.content.decode()
    assert partner_organisation_mou.title in page.content.decode()
    listing = manager_client.get(reverse("alliance:mou-list")).content.decode()
    assert listing.count("Possible duplicate") >= 2


@pytest.fixture
def partner_organisation_mou(counterpart, organisation):
    return MoUFactory(counterpart=counterpart, partner_organisation=organisation, signed_on=datetime.date(2024, 3, 1),
                      title="Earlier MoU with the same counterpart")


FUTURE = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"document": pdf_upload("mou.pdf", b"plain text pretending to be a PDF\n")}, "document", "not a PDF"),
    ({"document": pdf_upload("mou.pdf", b"<html><script>alert(1)</script></html>", "application/pdf")},
     "document", "not a PDF"),
    ({"document": pdf_upload("mou.pdf", make_pdf(padding=11 * 1024 * 1024))}, "document", "at most 10 MB"),
    ({"document": pdf_upload("mou.pdf", b"")}, "document", "empty"),
    ({"document": None}, "document", "This field is required"),
    ({"signed_on": FUTURE}, "signed_on", "cannot be in the future"),
    ({"valid_until": "2024-02-01"}, "valid_until", "must be after the signing date"),
    ({"valid_until": "2024-03-01"}, "valid_until", "must be after the signing date"),
    ({"signed_on": "not a date"}, "signed_on", "Enter a valid date"),
    ({"title": ""}, "title", "This field is required"),
    ({"scope": ""}, "scope", "This field is required"),
    ({"signed_on": ""}, "signed_on", "This field is required"),
    ({"signatories": ""}, "signatories", "This field is required"),
    ({"counterpart": ""}, "counterpart", "Pick the counterpart organisation"),
    ({"new_counterpart_name": "New Org", "new_counterpart_kind": "company", "new_counterpart_country": "FR"},
     "new_counterpart_name", "not both"),
])
def test_bad_input_is_refused_with_a_message_and_nothing_written(partner_client, counterpart, overrides, field,
                                                                  message):
    before = Organisation.objects.count()
    data = mou_post_data(counterpart)
    data.update(overrides)
    data = {k: v for k, v in data.items() if v is not None}
    response = partner_client.post(URL, data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert message in " ".join(errors[field])
    assert message in response.content.decode().replace("&#x27;", "'")
    # The user's input is kept.
    if field != "title":
        assert 'value="MoU on robotics training"' in response.content.decode()
    assert_nothing_written(before)


@pytest.mark.parametrize(("overrides", "field"), [
    ({"new_counterpart_kind": ""}, "new_counterpart_kind"),
    ({"new_counterpart_country": ""}, "new_counterpart_country"),
    ({"new_counterpart_website": "javascript:alert(1)"}, "new_counterpart_website"),
    ({"new_counterpart_region": "FR_REGION"}, "new_counterpart_region"),
])
def test_a_new_counterpart_needs_a_kind_a_country_and_a_matching_region(partner_client, overrides, field):
    RegionFactory()  # ES21, in Spain
    before = Organisation.objects.count()
    data = mou_post_data(new_counterpart_name="Mondragon Assembly", new_counterpart_kind="company",
                         new_counterpart_country="FR")
    if overrides.get("new_counterpart_region") == "FR_REGION":
        overrides = {"new_counterpart_region": RegionFactory().pk}
    data.update(overrides)
    response = partner_client.post(URL, data)
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert_nothing_written(before)


def test_the_counterpart_cannot_be_the_bringing_organisation(partner_client, partner_user):
    before = Organisation.objects.count()
    response = partner_client.post(URL, mou_post_data(partner_user.organisation))
    assert response.status_code == 400
    assert "must be another organisation" in response.content.decode()
    assert_nothing_written(before)


def test_a_path_in_the_file_name_never_reaches_the_disk(partner_client, counterpart, tmp_path):
    response = partner_client.post(URL, mou_post_data(counterpart, document=pdf_upload("../../etc/passwd.pdf")))
    assert response.status_code == 302
    mou = MoU.objects.get()
    [stored] = stored_files()
    assert stored.name != "passwd.pdf"
    assert not (tmp_path / "etc").exists()
    assert ".." not in mou.document.name and "passwd" not in mou.document.name
    assert mou.document_name == "passwd.pdf"


TEXT_FIELDS = ["title", "scope", "areas", "signatories"]
SCRIPT = '<script>alert("x")</script>'


def test_script_tags_are_stored_as_text_and_shown_escaped(partner_client, manager_client, partner_user):
    data = mou_post_data(**{name: f"{name} {SCRIPT}" for name in TEXT_FIELDS},
                         new_counterpart_name=f"Org {SCRIPT}", new_counterpart_kind="company",
                         new_counterpart_country="FR",
                         document=pdf_upload(f"{SCRIPT}.pdf"))
    response = partner_client.post(URL, data)
    assert response.status_code == 302
    mou = MoU.objects.get()
    for name in TEXT_FIELDS:
        assert getattr(mou, name) == f"{name} {SCRIPT}"
    assert mou.counterpart.name == f"Org {SCRIPT}"
    for client in (partner_client, manager_client):
        for url in (reverse("alliance:mou-detail", args=[mou.pk]), reverse("alliance:mou-list")):
            html = client.get(url).content.decode()
            assert "<script>" not in html
            assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_the_file_is_removed_when_the_database_write_fails(partner_user, counterpart, monkeypatch):
    def failing_save(self, *args, **kwargs):
        raise IntegrityError("simulated failure after the file was stored")

    monkeypatch.setattr(MoU, "save", failing_save)
    with pytest.raises(IntegrityError):
        services.mou_submit(user=partner_user, partner_organisation=partner_user.organisation,
                            data={"title": "T", "scope": "S", "areas": "", "signed_on": datetime.date(2024, 1, 1),
                                  "valid_until": None, "signatories": "X"},
                            document=pdf_upload(), counterpart=counterpart)
    assert stored_files() == []


def test_the_service_refuses_a_bad_document_before_writing(partner_user, counterpart):
    with pytest.raises(services.ValidationError) as error:
        services.mou_submit(user=partner_user, partner_organisation=partner_user.organisation,
                            data={"title": "T", "scope": "S", "signed_on": datetime.date(2024, 1, 1),
                                  "signatories": "X"},
                            document=pdf_upload(content=b"GIF89a"), counterpart=counterpart)
    assert "document" in error.value.message_dict
    assert MoU.objects.count() == 0 and stored_files() == []


def test_submissions_are_rate_limited_per_user(partner_client, partner_user, other_partner_client, counterpart,
                                               settings):
    settings.MOU_SUBMISSIONS_PER_HOUR = 3
    for n in range(3):
        assert partner_client.post(URL, mou_post_data(counterpart, title=f"MoU {n}")).status_code == 302
    response = partner_client.post(URL, mou_post_data(counterpart, title="One too many"))
    assert response.status_code == 429
    assert "You have submitted 3 MoUs in the last hour" in response.content.decode()
    assert MoU.objects.count() == 3
    assert len(stored_files()) == 3
    # The form page says so before the partner fills it in.
    assert "You have submitted 3 MoUs in the last hour" in partner_client.get(URL).content.decode()
    # Another user is not affected.
    assert other_partner_client.post(URL, mou_post_data(counterpart, title="Other")).status_code == 302


def test_the_rate_limit_counts_only_the_last_hour(partner_client, partner_user, counterpart, settings):
    settings.MOU_SUBMISSIONS_PER_HOUR = 1
    MoUFactory(submitted_by=partner_user, submitted_at=timezone.now() - datetime.timedelta(minutes=61))
    assert partner_client.post(URL, mou_post_data(counterpart)).status_code == 302


def test_the_form_needs_the_csrf_token(partner_user, counterpart):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(partner_user)
    response = client.post(URL, mou_post_data(counterpart))
    assert response.status_code == 403
    assert MoU.objects.count() == 0 and stored_files() == []
