"""Training registers: micro-credentials, learning factories, exchanges, products."""

import datetime

import pytest
from django.urls import reverse

from tests.factories import (
    FactoryExchangeFactory,
    FactoryProductFactory,
    LearningFactoryFactory,
    MicroCredentialFactory,
    OrganisationFactory,
)
from tests.registers_matrix import (
    FOREIGN_EDIT,
    FOREIGN_READ,
    OWN_CREATE,
    OWN_LIST,
    check_pages,
    check_posts_refused,
    partner_post_codes,
)
from training.models import FactoryExchange, FactoryProduct, LearningFactory, MicroCredential

pytestmark = pytest.mark.django_db
ESCO = "http://data.europa.eu/esco/skill/2b8a6e2b-4e1c-4b59-9d43-a5a7e2e27e1d"


def credential_data(organisation, **overrides):
    return {"title": "Cobot programming", "awarding_body": organisation.pk, "learning_outcomes": "kept text",
            "esco_skills": ESCO, "ects": "3.0", "eqf_level": "4", "assessment_type": "Practical",
            "participation_form": "blended", "quality_assurance": "Internal", "status": "published",
            "published_on": "2024-02-01", "default_language": "en", "learning_opportunity_type": "course",
            **overrides}


def test_create_micro_credential_with_esco_skills_one_a_line(manager_client, organisation):
    assert manager_client.get(reverse("training:micro-credential-create")).context["form"][
        "awarding_body"].value() == organisation.pk
    response = manager_client.post(reverse("training:micro-credential-create"),
                                   credential_data(organisation, esco_skills=f"{ESCO}\n\n"))
    assert response.status_code == 302
    credential = MicroCredential.objects.get()
    assert credential.esco_skills == [ESCO]
    edit = manager_client.get(reverse("training:micro-credential-edit", args=[credential.pk]))
    assert edit.context["form"]["esco_skills"].value() == ESCO


@pytest.mark.parametrize("overrides, field", [
    ({"eqf_level": "9"}, "eqf_level"),
    ({"ects": "0"}, "ects"),
    ({"ects": "61"}, "ects"),
    ({"esco_skills": "cnc machining"}, "esco_skills"),
    ({"published_on": ""}, "published_on"),
    ({"participation_form": "telepathy"}, "participation_form"),
    ({"homepage": "javascript:alert(1)"}, "homepage"),
    ({"default_language": "xx"}, "default_language"),
    ({"languages": ["en", "klingon"]}, "languages"),
    ({"isced_f": "07a5"}, "isced_f"),
    ({"learning_opportunity_type": "degree"}, "learning_opportunity_type"),
    ({"identity_verification": "passport photo"}, "identity_verification"),
])
def test_micro_credential_bad_input(manager_client, organisation, overrides, field):
    response = manager_client.post(reverse("training:micro-credential-create"),
                                   credential_data(organisation, **overrides))
    assert response.status_code == 200 and response.context["form"].errors[field]
    assert b"kept text" in response.content
    assert MicroCredential.objects.count() == 0


def test_micro_credential_keeps_what_the_european_learning_model_needs(manager_client, organisation):
    response = manager_client.post(reverse("training:micro-credential-create"), credential_data(
        organisation, homepage="https://lcamp.example.eu/courses/cobots/", default_language="es",
        languages=["es", "eu"], isced_f="0714", learning_opportunity_type="mooc",
        identity_verification="unsupervised-with-id"))
    assert response.status_code == 302
    credential = MicroCredential.objects.get()
    assert (credential.homepage, credential.default_language, credential.languages, credential.isced_f,
            credential.learning_opportunity_type, credential.identity_verification) == (
        "https://lcamp.example.eu/courses/cobots/", "es", ["es", "eu"], "0714", "mooc", "unsupervised-with-id")
    edit = manager_client.get(reverse("training:micro-credential-edit", args=[credential.pk]))
    assert edit.context["form"]["languages"].value() == ["es", "eu"]


def test_retire_micro_credential(manager_client):
    credential = MicroCredentialFactory()
    response = manager_client.post(reverse("training:micro-credential-status", args=[credential.pk]),
                                   {"status": "retired", "published_on": "2024-02-01", "version": 1})
    assert response.status_code == 302
    credential.refresh_from_db()
    assert credential.status == "retired" and not MicroCredential.objects.counted_on(datetime.date.today()).exists()


def test_learning_factory_create_and_bad_input(manager_client, organisation):
    ok = manager_client.post(reverse("training:factory-create"), {"name": "Smart factory", "host_organisation":
                                                                   organisation.pk})
    assert ok.status_code == 302
    bad = manager_client.post(reverse("training:factory-create"), {"name": "", "host_organisation": organisation.pk,
                                                                    "description": "kept text"})
    assert bad.status_code == 200 and bad.context["form"].errors["name"] and b"kept text" in bad.content
    assert LearningFactory.objects.count() == 1


def test_exchange_create_from_dashboard_counts_international_students(manager_client, organisation):
    factory = LearningFactoryFactory(host_organisation=organisation)
    partner = OrganisationFactory(country="FR")
    response = manager_client.post(reverse("training:exchange-create") + "?next=/", {
        "factory": factory.pk, "title": "Lyon week", "partner_organisations": [partner.pk], "students": "12",
        "started_on": "2024-04-01", "status": "confirmed", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert FactoryExchange.objects.counted_on(datetime.date(2024, 5, 1)).get().students == 12


@pytest.mark.parametrize("overrides, field", [
    ({"students": "0"}, "students"),
    ({"partner_organisations": []}, "partner_organisations"),
    ({"ended_on": "2024-01-01"}, "ended_on"),
])
def test_exchange_bad_input(manager_client, organisation, overrides, field):
    factory = LearningFactoryFactory(host_organisation=organisation)
    data = {"factory": factory.pk, "title": "kept text", "partner_organisations": [OrganisationFactory().pk],
            "students": "3", "started_on": "2024-04-01", "status": "confirmed", **overrides}
    response = manager_client.post(reverse("training:exchange-create"), data)
    assert response.status_code == 200 and response.context["form"].errors[field]
    assert b"kept text" in response.content
    assert FactoryExchange.objects.count() == 0


def test_cancel_exchange(manager_client):
    exchange = FactoryExchangeFactory()
    response = manager_client.post(reverse("training:exchange-status", args=[exchange.pk]),
                                   {"status": "cancelled", "version": exchange.version})
    assert response.status_code == 302
    exchange.refresh_from_db()
    assert exchange.status == "cancelled"


def test_product_needs_two_collaborators(manager_client):
    factory, one, two = LearningFactoryFactory(), OrganisationFactory(), OrganisationFactory()
    data = {"title": "Gripper", "description": "kept text", "factories": [factory.pk], "status": "developed",
            "developed_on": "2024-05-01", "collaborating_organisations": [one.pk]}
    bad = manager_client.post(reverse("training:product-create"), data)
    assert bad.status_code == 200 and bad.context["form"].errors["collaborating_organisations"]
    assert b"kept text" in bad.content and FactoryProduct.objects.count() == 0
    good = manager_client.post(reverse("training:product-create"),
                               {**data, "collaborating_organisations": [one.pk, two.pk]})
    assert good.status_code == 302
    assert FactoryProduct.objects.counted_on(datetime.date(2024, 6, 1)).count() == 1


def test_retire_product_and_stale_status_change_refused(manager_client):
    product = FactoryProductFactory()
    url = reverse("training:product-status", args=[product.pk])
    assert manager_client.post(url, {"status": "retired", "developed_on": "2024-05-01", "version": 1}).status_code == 302
    stale = manager_client.post(url, {"status": "retired", "developed_on": "2024-04-01", "version": 1})
    assert stale.status_code == 200 and "Somebody else saved" in stale.content.decode()
    product.refresh_from_db()
    assert product.status == "retired"


ROLES = ["admin", "staff", "manager", "partner", "other_partner", "anonymous"]


@pytest.mark.parametrize("role", ROLES)
def test_pages_answer_each_role(role_clients, role):
    records = {"micro-credential": MicroCredentialFactory(), "factory": LearningFactoryFactory(),
               "exchange": FactoryExchangeFactory(), "product": FactoryProductFactory()}
    pages = []
    for name, obj in records.items():
        # Records of an organisation neither partner belongs to: partners find their list and create form only.
        pages += [(f"training:{name}-list", [], OWN_LIST), (f"training:{name}-detail", [obj.pk], FOREIGN_READ),
                  (f"training:{name}-create", [], OWN_CREATE), (f"training:{name}-edit", [obj.pk], FOREIGN_EDIT)]
        if name != "factory":
            pages.append((f"training:{name}-status", [obj.pk], FOREIGN_EDIT))
    check_pages(role_clients, role, pages)


@pytest.mark.parametrize("role", ["staff", "partner", "anonymous"])
def test_posts_refused_for_roles_that_may_not_edit(role_clients, role):
    exchange = FactoryExchangeFactory()
    creates = [reverse("training:exchange-create"), reverse("training:product-create"),
               reverse("training:micro-credential-create"), reverse("training:factory-create")]
    status = reverse("training:exchange-status", args=[exchange.pk])
    check_posts_refused(role_clients, role, [*creates, status], FactoryExchange,
                        partner_post_codes(role, creates=creates, foreign=[status]))
    exchange.refresh_from_db()
    assert exchange.status == "confirmed"


def test_a_reader_in_another_language_finds_a_title_typed_in_english(manager_client, manager_user):
    # The title is translated (django-modeltranslation): a Swedish reader's search must not read
    # the Swedish column alone, where nobody typed anything.
    MicroCredentialFactory(title="Collaborative robotics for SMEs")
    MicroCredentialFactory(title="Welding basics")
    manager_user.language = "sv"
    manager_user.save(update_fields=["language"])
    response = manager_client.get(reverse("training:micro-credential-list"), {"q": "robotics"},
                                  HTTP_ACCEPT_LANGUAGE="sv")
    assert response.status_code == 200
    assert [c.title_en for c in response.context["page"].object_list] == ["Collaborative robotics for SMEs"]
