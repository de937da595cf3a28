"""An MoU submitted twice is one MoU: the form's one-time token, the API's Idempotency-Key, the exact
duplicate refused with a link to the one registered, and five concurrent submissions (PostgreSQL)."""

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.urls import reverse

from alliance import services
from alliance.models import MoU
from organisations.models import Organisation
from tests.alliance.mou_helpers import mou_post_data, stored_files
from tests.alliance.pdf_samples import make_pdf
from tests.api.test_mous import submit
from tests.factories import OrganisationFactory, UserFactory

URL = reverse("alliance:mou-create")


@pytest.fixture
def counterpart(db):
    return OrganisationFactory(name="Siemens Gamesa", country="ES", kind=Organisation.Kind.COMPANY)


def test_the_form_carries_a_one_time_token(partner_client):
    first = partner_client.get(URL).content.decode()
    second = partner_client.get(URL).content.decode()
    assert 'name="submission_token"' in first

    def token(text):
        return text.split('name="submission_token" value="')[1].split('"')[0]

    assert len(token(first)) == 32 and token(first) != token(second)


def test_the_same_form_sent_twice_makes_one_mou(partner_client, counterpart):
    first = partner_client.post(URL, mou_post_data(counterpart, submission_token="a" * 32))
    again = partner_client.post(URL, mou_post_data(counterpart, submission_token="a" * 32), follow=True)
    mou = MoU.objects.get()
    assert first["Location"] == reverse("alliance:mou-detail", args=[mou.pk])
    assert again.redirect_chain[-1][0] == reverse("alliance:mou-detail", args=[mou.pk])
    assert "already submitted with this form" in again.content.decode()
    assert len(stored_files()) == 1


def test_an_exact_duplicate_is_refused_with_a_link_to_the_registered_one(partner_client, counterpart):
    partner_client.post(URL, mou_post_data(counterpart))
    existing = MoU.objects.get()
    response = partner_client.post(URL, mou_post_data(counterpart, title="  mou ON robotics training "))
    assert response.status_code == 400
    text = response.content.decode()
    assert "already registered" in text
    assert f'href="{reverse("alliance:mou-detail", args=[existing.pk])}"' in text
    assert MoU.objects.count() == 1
    assert len(stored_files()) == 1


def test_a_withdrawn_mou_may_be_submitted_again(partner_client, partner_user, counterpart):
    partner_client.post(URL, mou_post_data(counterpart))
    services.mou_withdraw(mou=MoU.objects.get(), user=partner_user)
    assert partner_client.post(URL, mou_post_data(counterpart)).status_code == 302
    assert MoU.objects.count() == 2


def test_the_api_honours_the_idempotency_key(partner_client):
    first = submit(partner_client, headers={"Idempotency-Key": "key-1"})
    assert first.status_code == 201, first.json()
    counterpart = first.json()["counterpart"]
    again = submit(partner_client, headers={"Idempotency-Key": "key-1"}, counterpart=counterpart)
    # Answered as the first time (201, the same body: the status the schema lists), the header says it is a replay.
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert again.json() == first.json()
    assert MoU.objects.count() == 1


def test_the_api_refuses_an_exact_duplicate_with_its_address(partner_client):
    first = submit(partner_client).json()
    response = submit(partner_client, counterpart=first["counterpart"])
    assert response.status_code == 400
    assert reverse("alliance:mou-detail", args=[first["id"]]) in response.json()["title"][0]
    assert MoU.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (set DATABASE_URL)")
@pytest.mark.parametrize("same_token", [True, False])
def test_five_concurrent_submissions_make_one_mou(same_token):
    partner = OrganisationFactory(name="Network VET", country="ES")
    counterpart = OrganisationFactory(name="Cobot Maker", country="DE", kind=Organisation.Kind.COMPANY)
    user = UserFactory(username="concurrent-partner", organisation=partner)
    barrier = threading.Barrier(5)
    errors, results = [], []

    def worker(index):
        try:
            barrier.wait()
            results.append(services.mou_submit(
                user=user, partner_organisation=partner, counterpart=counterpart,
                data={"title": "Cobots", "scope": "Training.", "signed_on": "2024-03-01",
                      "signatories": "A. Person"},
                document=SimpleUploadedFile("m.pdf", make_pdf(), content_type="application/pdf"),
                idempotency_key="same" if same_token else f"key-{index}"))
        except Exception as error:  # noqa: BLE001 - collected and asserted on below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert MoU.objects.count() == 1
    if same_token:
        assert not errors and len({mou.pk for mou in results}) == 1
    else:
        assert len(results) == 1 and len(errors) == 4
        assert all(isinstance(error, services.DuplicateMoU) for error in errors)
    assert len(stored_files()) == 1
