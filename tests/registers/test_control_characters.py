"""Text fields refuse C0 control characters but tab, line feed and carriage return (a vertical tab
comes with text pasted from Word and made exports answer 500): one model validator on every
CharField and TextField of the project, so forms, the API, imports and the admin refuse it with a
clear message and write nothing; form fields that are not a model's carry the same validator."""

from pathlib import Path

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import get_resolver, reverse

from alliance.models import MoU
from organisations.models import Organisation
from registers.registry import REGISTER_PAGES
from registers.validators import validate_no_control_characters, without_control_characters
from tests.alliance.mou_helpers import mou_post_data
from tests.factories import OrganisationFactory

MESSAGE = "invisible control character (U+000B)"
# Form fields that hold no stored text: searches and tokens.
NOT_STORED = {"q", "search", "submission_token", "token", "password", "password1", "password2", "old_password",
              "new_password1", "new_password2", "username"}


def _project_apps():
    base = Path(settings.BASE_DIR).resolve()
    return [config for config in apps.get_app_configs()
            if "site-packages" not in Path(config.path).parts and Path(config.path).resolve().is_relative_to(base)]


def test_every_text_field_of_the_project_models_refuses_them():
    fields = [field for config in _project_apps() for model in config.get_models()
              for field in model._meta.get_fields() if isinstance(field, (models.CharField, models.TextField))]
    assert len(fields) > 100
    assert all(validate_no_control_characters in field.validators for field in fields)
    # Django's own models are left as they are.
    assert validate_no_control_characters not in apps.get_model("auth", "Group")._meta.get_field("name").validators


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_form_text_field_that_is_not_a_models_refuses_them():
    get_resolver().url_patterns  # noqa: B018 - imports every view, so every form
    base = Path(settings.BASE_DIR).resolve()
    missing = []
    for form in set(_subclasses(forms.BaseForm)):
        module = __import__(form.__module__, fromlist=["_"])
        path = Path(getattr(module, "__file__", "") or "/").resolve()
        if "site-packages" in path.parts or not path.is_relative_to(base) or path.is_relative_to(base / "tests"):
            continue
        model = getattr(getattr(form, "_meta", None), "model", None)
        model_fields = {f.name for f in model._meta.get_fields()} if model else set()
        for name, field in form.base_fields.items():
            if (type(field) is forms.CharField and name not in model_fields and name not in NOT_STORED
                    and validate_no_control_characters not in field.validators):
                missing.append(f"{form.__module__}.{form.__name__}.{name}")
    assert missing == []


@pytest.mark.parametrize("character", ["\x00", "\x01", "\x0b", "\x0c", "\x1b", "\x1f"])
def test_the_validator_refuses_c0_controls(character):
    with pytest.raises(ValidationError):
        validate_no_control_characters(f"a{character}b")


@pytest.mark.parametrize("text", ["tab\there", "lines\nand\r\nreturns", "accents é ñ 中文", "", None])
def test_the_validator_lets_tab_newline_and_return_through(text):
    validate_no_control_characters(text)


def test_exports_clean_a_vertical_tab_into_a_line_break():
    assert without_control_characters("a\x0bb\x1bc") == "a\nbc"


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["title", "scope", "signatories", "new_counterpart_name"])
def test_the_mou_form_refuses_a_vertical_tab_and_writes_nothing(partner_client, field):
    data = mou_post_data(None if field == "new_counterpart_name" else OrganisationFactory(kind="company"),
                         **{field: "Pasted from Word\x0bsecond line"})
    if field == "new_counterpart_name":
        data.update(new_counterpart_kind="company", new_counterpart_country="ES")
    organisations = Organisation.objects.count()
    response = partner_client.post(reverse("alliance:mou-create"), data)
    assert response.status_code == 400
    assert MESSAGE in response.content.decode()
    assert not MoU.objects.exists() and Organisation.objects.count() == organisations


@pytest.mark.django_db
def test_a_register_form_refuses_it(manager_client):
    response = manager_client.post(reverse("organisations:organisation-create"),
                                   {"name": "Centro\x0bEaso", "kind": "vet", "country": "ES"})
    assert response.status_code == 200
    assert MESSAGE in str(response.context["form"].errors["name"])
    assert not Organisation.objects.filter(name__startswith="Centro").exists()


@pytest.mark.django_db
def test_the_api_refuses_it_with_a_field_message(partner_client):
    from tests.api.test_mous import LIST, submission

    document = SimpleUploadedFile("signed.pdf", mou_post_data()["document"].read(), content_type="application/pdf")
    response = partner_client.post(LIST, {**submission(title="Pasted\x0btitle"), "document": document})
    assert response.status_code == 400
    assert MESSAGE in response.json()["title"][0]
    assert not MoU.objects.exists()


@pytest.mark.django_db
def test_the_api_refuses_it_on_an_organisation(manager_client):
    response = manager_client.post("/api/v1/organisations/", {"name": "Pasted\x0bname", "kind": "vet",
                                                             "country": "ES"}, content_type="application/json")
    assert response.status_code == 400
    assert MESSAGE in response.json()["name"][0]
    assert not Organisation.objects.filter(name__startswith="Pasted").exists()


@pytest.mark.django_db
def test_an_import_shows_the_row_refused(manager_client):
    content = b"name,kind,country\r\nPasted\x0bname,vet,ES\r\n"
    url = REGISTER_PAGES["organisations:organisation"].url("import")
    preview = manager_client.post(url, {"file": SimpleUploadedFile("organisations.csv", content)})
    assert preview.status_code == 200
    assert MESSAGE in preview.content.decode()
    assert not Organisation.objects.filter(name__startswith="Pasted").exists()


@pytest.mark.django_db
def test_the_admin_refuses_it(admin_client):
    from alliance.models import AllianceMember  # noqa: F401 - the admin's registered models are loaded

    response = admin_client.post(reverse("admin:organisations_organisation_add"),
                                 {"name": "Pasted\x0bname", "kind": "vet", "country": "ES"})
    assert response.status_code == 200
    assert MESSAGE in response.content.decode()
    assert not Organisation.objects.filter(name__startswith="Pasted").exists()
