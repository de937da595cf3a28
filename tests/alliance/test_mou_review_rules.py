"""The one review workflow on MoUs: nobody reviews what they registered, an MoU is approved with its
document, a possible duplicate only with a "not a duplicate" confirmation; managers' own flow."""

import pytest
from django.urls import reverse

from alliance.models import MoU
from organisations.models import Organisation
from tests.alliance.mou_helpers import mou_post_data
from tests.factories import MoUFactory, OrganisationFactory, UserFactory

URL = reverse("alliance:mou-create")


@pytest.fixture
def counterpart(db):
    return OrganisationFactory(name="Siemens Gamesa", country="ES", kind=Organisation.Kind.COMPANY)


@pytest.fixture
def second_manager(db, other_organisation):
    return UserFactory(username="secondmanager", role="manager", organisation=other_organisation)


@pytest.fixture
def second_manager_client(client, second_manager):
    client.force_login(second_manager)
    return client


@pytest.fixture
def registered_by_manager(manager_client, partner_user, counterpart):
    """An MoU a manager registered from the form for the partner's organisation."""
    response = manager_client.post(URL, mou_post_data(counterpart, partner_organisation=partner_user.organisation.pk))
    assert response.status_code == 302, response.content.decode()
    return MoU.objects.get()


def api(mou, action):
    return reverse(f"api:mou-{action}", args=[mou.pk])


@pytest.mark.parametrize("action, data", [("approve", {}), ("reject", {"reject-review_note": "No."})])
def test_a_manager_cannot_review_an_mou_they_registered_in_the_browser(manager_client, registered_by_manager,
                                                                      action, data):
    response = manager_client.post(reverse(f"alliance:mou-{action}", args=[registered_by_manager.pk]), data)
    assert response.status_code == 403
    assert "You submitted this yourself" in response.content.decode()
    registered_by_manager.refresh_from_db()
    assert registered_by_manager.status == MoU.Status.SUBMITTED


def test_the_detail_page_offers_no_review_to_the_manager_who_registered_it(manager_client, registered_by_manager):
    text = manager_client.get(reverse("alliance:mou-detail", args=[registered_by_manager.pk])).content.decode()
    assert 'id="approve-form"' not in text
    assert "You registered this MoU yourself" in text


@pytest.mark.parametrize("action", ["approve", "reject"])
def test_a_manager_cannot_review_an_mou_they_registered_through_the_api(manager_client, registered_by_manager, action):
    response = manager_client.post(api(registered_by_manager, action), {"note": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert "You submitted this yourself" in response.json()["detail"]
    registered_by_manager.refresh_from_db()
    assert registered_by_manager.status == MoU.Status.SUBMITTED


def test_an_admin_cannot_approve_an_mou_they_submitted(admin_client, admin_user, counterpart, organisation):
    mou = MoUFactory(partner_organisation=organisation, counterpart=counterpart, submitted_by=admin_user)
    assert admin_client.post(api(mou, "approve"), content_type="application/json").status_code == 403
    mou.refresh_from_db()
    assert mou.status == MoU.Status.SUBMITTED


def test_another_manager_approves_it_in_the_browser(second_manager_client, second_manager, registered_by_manager):
    response = second_manager_client.post(reverse("alliance:mou-approve", args=[registered_by_manager.pk]))
    assert response.status_code == 302
    registered_by_manager.refresh_from_db()
    assert (registered_by_manager.status, registered_by_manager.reviewed_by) == (MoU.Status.APPROVED, second_manager)


def test_another_manager_rejects_it_through_the_api(second_manager_client, registered_by_manager):
    response = second_manager_client.post(api(registered_by_manager, "reject"), {"note": "Unsigned."},
                                          content_type="application/json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "rejected"


def test_an_mou_without_a_document_cannot_be_approved(manager_client, partner_user, counterpart):
    mou = MoUFactory(partner_organisation=partner_user.organisation, counterpart=counterpart,
                     submitted_by=partner_user, document="")
    response = manager_client.post(api(mou, "approve"), content_type="application/json")
    assert response.status_code == 400
    assert "no signed document" in response.json()["document"][0]
    page = manager_client.post(reverse("alliance:mou-approve", args=[mou.pk]))
    assert page.status_code == 400
    # Said once, and no Approve button to try again.
    assert page.content.decode().count("no signed document") == 1
    assert 'id="approve-form"' not in page.content.decode()
    mou.refresh_from_db()
    assert mou.status == MoU.Status.SUBMITTED


def test_approve_is_not_offered_on_an_mou_without_its_document(manager_client, partner_user, counterpart):
    mou = MoUFactory(partner_organisation=partner_user.organisation, counterpart=counterpart,
                     submitted_by=partner_user, document="")
    page = manager_client.get(reverse("alliance:mou-detail", args=[mou.pk])).content.decode()
    assert 'id="approve-form"' not in page and ">Approve<" not in page
    assert page.count("no signed document") == 1
    assert 'id="reject-form"' in page  # rejecting (and asking for the PDF) stays possible
    with_document = MoUFactory(partner_organisation=partner_user.organisation, counterpart=counterpart,
                               submitted_by=partner_user, title="With its PDF")
    assert with_document.document
    page = manager_client.get(reverse("alliance:mou-detail", args=[with_document.pk])).content.decode()
    assert 'id="approve-form"' in page and "no signed document" not in page


def test_the_partner_is_told_to_attach_the_document(partner_client, partner_user, counterpart):
    mou = MoUFactory(partner_organisation=partner_user.organisation, counterpart=counterpart,
                     submitted_by=partner_user, document="")
    page = partner_client.get(reverse("alliance:mou-detail", args=[mou.pk])).content.decode()
    assert 'id="attach-document"' in page and "submit it again with the signed PDF" in page
    assert reverse("alliance:mou-create") in page
    mou.document = "mous/signed.pdf"
    mou.save()
    page = partner_client.get(reverse("alliance:mou-detail", args=[mou.pk])).content.decode()
    assert 'id="attach-document"' not in page


def test_approving_a_possible_duplicate_needs_the_not_a_duplicate_confirmation(manager_client, partner_user,
                                                                               other_organisation, counterpart):
    first = MoUFactory(partner_organisation=other_organisation, counterpart=counterpart, title="Cobots")
    mou = MoUFactory(partner_organisation=partner_user.organisation, counterpart=counterpart, title="Robots",
                     signed_on=first.signed_on, submitted_by=partner_user)
    page = manager_client.get(reverse("alliance:mou-detail", args=[mou.pk])).content.decode()
    assert "approve-not_duplicate" in page
    response = manager_client.post(api(mou, "approve"), content_type="application/json")
    assert response.status_code == 400
    assert "not a duplicate" in response.json()["not_duplicate"][0]
    response = manager_client.post(reverse("alliance:mou-approve", args=[mou.pk]))
    assert response.status_code == 400
    assert "not a duplicate" in response.content.decode()
    mou.refresh_from_db()
    assert mou.status == MoU.Status.SUBMITTED

    response = manager_client.post(reverse("alliance:mou-approve", args=[mou.pk]), {"approve-not_duplicate": "on"})
    assert response.status_code == 302
    mou.refresh_from_db()
    assert mou.status == MoU.Status.APPROVED


def test_the_api_approves_a_possible_duplicate_with_the_confirmation(manager_client, partner_user,
                                                                     other_organisation, counterpart):
    first = MoUFactory(partner_organisation=other_organisation, counterpart=counterpart)
    mou = MoUFactory(partner_organisation=partner_user.organisation, counterpart=counterpart,
                     signed_on=first.signed_on, submitted_by=partner_user)
    response = manager_client.post(api(mou, "approve"), {"not_duplicate": True}, content_type="application/json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "approved"


# --- A manager registering an MoU: their own wording and flow ---------------------------------


def test_a_manager_gets_the_managers_wording_and_the_next_url_is_honoured(manager_client, partner_user, counterpart):
    form = manager_client.get(URL + "?next=/").content.decode()
    assert "Register an MoU for a partner" in form
    assert 'name="next" value="/"' in form
    response = manager_client.post(URL + "?next=/", mou_post_data(counterpart,
                                                                  partner_organisation=partner_user.organisation.pk))
    assert response.status_code == 302
    assert response["Location"] == "/"
    text = manager_client.get(reverse("alliance:mou-list")).content.decode()
    assert "Another manager reviews it" in text
    assert "you will get an e-mail" not in text


def test_an_unsafe_next_url_is_ignored(manager_client, partner_user, counterpart):
    response = manager_client.post(URL + "?next=https://evil.example/", mou_post_data(
        counterpart, partner_organisation=partner_user.organisation.pk))
    assert response["Location"] == reverse("alliance:mou-detail", args=[MoU.objects.get().pk])


def test_a_manager_cannot_register_an_mou_without_a_document(manager_client, partner_user, counterpart):
    response = manager_client.post(URL, mou_post_data(counterpart, partner_organisation=partner_user.organisation.pk,
                                                      document=None))
    assert response.status_code == 400
    assert not MoU.objects.exists()


# --- The counterpart is external to the consortium --------------------------------------------


def test_a_consortium_partner_is_refused_as_counterpart_in_the_form(partner_client, other_organisation):
    assert other_organisation.is_consortium_partner
    response = partner_client.post(URL, mou_post_data(other_organisation))
    assert response.status_code == 400
    assert "external to the LCAMP consortium" in response.content.decode()
    assert not MoU.objects.exists()


def test_a_consortium_partner_is_refused_as_counterpart_through_the_api(partner_client, other_organisation):
    from tests.api.test_mous import submit

    response = submit(partner_client, counterpart=other_organisation.pk)
    assert response.status_code == 400
    assert "external to the LCAMP consortium" in response.json()["counterpart"][0]
    assert not MoU.objects.exists()


def test_the_manager_who_registered_it_is_not_asked_to_review_it(manager_client, manager_user, second_manager,
                                                                partner_user, counterpart,
                                                                django_capture_on_commit_callbacks):
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(URL, mou_post_data(counterpart, partner_organisation=partner_user.organisation.pk))
    recipients = {address for message in mail.outbox for address in message.to}
    assert second_manager.email in recipients
    assert manager_user.email not in recipients
