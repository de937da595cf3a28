"""Register lists at scale: the search asked table by table, translated titles sorted by their own
column, selects rendered without a template per option, and list pages cached until a record they
show changes."""

import datetime

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from alliance.models import AllianceMember, MoU
from organisations.models import Organisation
from registers import generations
from registers.search import order_terms, search_condition
from registers.widgets import FastSelect, FastSelectMultiple
from tests.factories import (
    AllianceMemberFactory,
    MicroCredentialFactory,
    MoUFactory,
    OrganisationFactory,
    SnapshotFactory,
)
from training.models import MicroCredential

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache(settings):
    """The page cache is off in the other tests (their query counts measure the work)."""
    settings.PAGE_CACHE = True

MEMBER_SEARCH = ("organisation__name", "organisation__acronym", "organisation__city", "note")


def _plain_or(model, fields, query):
    from django.db.models import Q

    condition = Q()
    for name in fields:
        condition |= Q(**{f"{name}__icontains": query})
    return condition


@pytest.mark.parametrize("query", ["zub", "ZUBIRI", "note-only", "nothing-like-this", "a"])
def test_search_finds_the_same_rows_as_one_or_across_the_tables(query):
    AllianceMemberFactory(organisation=OrganisationFactory(name="Zubiri Manteo", city="Donostia"))
    AllianceMemberFactory(organisation=OrganisationFactory(name="Tknika", acronym="TKN"), note="a note-only match")
    AllianceMemberFactory(organisation=OrganisationFactory(name="Omnia", city="Espoo"))
    expected = set(AllianceMember.objects.filter(_plain_or(AllianceMember, MEMBER_SEARCH, query))
                   .values_list("pk", flat=True))
    found = set(AllianceMember.objects.filter(search_condition(AllianceMember, MEMBER_SEARCH, query))
                .values_list("pk", flat=True))
    assert found == expected


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the per-table search is PostgreSQL's plan")
def test_search_across_tables_asks_each_table_by_itself():
    condition = search_condition(AllianceMember, MEMBER_SEARCH, "zubiri")
    sql = str(AllianceMember.objects.filter(condition).query).upper()
    assert "UNION" in sql


def test_search_finds_a_title_typed_in_another_language(manager_client):
    credential = MicroCredentialFactory(title="Welding robots")
    MicroCredential.objects.filter(pk=credential.pk).update(title_sv="Svetsrobotar")
    with translation.override("en"):
        found = MicroCredential.objects.filter(search_condition(MicroCredential, ("title",), "svetsrob"))
        assert list(found.values_list("pk", flat=True)) == [credential.pk]


def test_translated_titles_sort_by_their_own_column_in_every_language(manager_client):
    for title in ["Cobots", "Additive manufacturing", "Big data"]:
        MicroCredentialFactory(title=title)
    expected = sorted(["Cobots", "Additive manufacturing", "Big data"])
    for language in ("en", "sv"):
        with translation.override(language):
            titles = list(MicroCredential.objects.order_by(*order_terms(MicroCredential, "title"))
                          .values_list("title", flat=True))
            assert titles == expected
            assert list(MicroCredential.objects.values_list("title", flat=True)) == expected  # the default order
            sql = str(MicroCredential.objects.order_by(*order_terms(MicroCredential, "-title")).query)
            assert "title_sv" not in sql.split("ORDER BY")[1]
    response = manager_client.get("/api/v1/micro-credentials/?ordering=-title")
    assert response.status_code == 200
    assert [row["title"] for row in response.json()["results"]] == expected[::-1]


def test_fast_select_renders_what_djangos_select_renders():
    choices = [("", "---------"), ("ES", "Spain & co"), ("FI", "Finland"), (3, "<b>three</b>")]
    for value in (None, "", "FI", 3):
        ours = FastSelect(attrs={"id": "id_x", "required": True}, choices=choices).render("x", value)
        django = forms.Select(attrs={"id": "id_x", "required": True}, choices=choices).render("x", value)
        assert _normalise(ours) == _normalise(django)
    ours = FastSelectMultiple(choices=choices).render("x", ["ES", "FI"])
    django = forms.SelectMultiple(choices=choices).render("x", ["ES", "FI"])
    assert _normalise(ours) == _normalise(django)


def _normalise(html):
    from django.test.html import parse_html

    return parse_html(html)


def test_country_filter_is_in_the_readers_language(manager_client, manager_user):
    manager_user.language = "fr"
    manager_user.save()
    response = manager_client.get(reverse("organisations:organisation-list"), HTTP_ACCEPT_LANGUAGE="fr")
    assert "Espagne" in response.content.decode()


# --- The page cache ------------------------------------------------------------------------------


def test_a_cached_list_shows_a_record_saved_since(manager_client):
    url = reverse("organisations:organisation-list")
    OrganisationFactory(name="First organisation")
    assert "First organisation" in manager_client.get(url).content.decode()
    with CaptureQueriesContext(connection) as again:
        assert "First organisation" in manager_client.get(url).content.decode()
    assert not [q for q in again.captured_queries if "organisations_organisation" in q["sql"]]
    organisation = OrganisationFactory(name="Second organisation")
    assert "Second organisation" in manager_client.get(url).content.decode()
    organisation.name = "Renamed organisation"
    organisation.save()
    assert "Renamed organisation" in manager_client.get(url).content.decode()
    organisation.delete()
    assert "Renamed organisation" not in manager_client.get(url).content.decode()


def test_a_cached_list_shows_an_import(manager_client):
    from organisations import views as organisation_pages
    from registers import importing

    url = reverse("organisations:organisation-list")
    assert "Imported organisation" not in manager_client.get(url).content.decode()
    rows = [{"name": "Imported organisation", "acronym": "", "kind": "vet", "country": "ES", "region": "",
             "city": "", "website": "", "erasmus_oid": "", "pic": "", "is_consortium_partner": "",
             "is_coordinator": ""}]
    assert importing.import_rows(organisation_pages.organisations, rows, user=None) == 1
    assert Organisation.objects.filter(name="Imported organisation").exists()
    assert "Imported organisation" in manager_client.get(url).content.decode()


def test_a_cached_list_is_per_language_and_per_rights(manager_client, staff_client):
    url = reverse("alliance:member-list")
    AllianceMemberFactory()
    manager_page = manager_client.get(url).content.decode()
    staff_page = staff_client.get(url).content.decode()
    add = reverse("alliance:member-create")
    assert add in manager_page and add not in staff_page
    english = manager_client.get(url).content.decode()
    with translation.override("sv"):
        swedish = manager_client.get(url, HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert english != swedish


@pytest.mark.parametrize("setting", ["CACHE_IS_SHARED", "PAGE_CACHE"])
def test_a_list_is_built_on_every_request_without_a_shared_cache(settings, manager_client, setting):
    setattr(settings, setting, False)
    assert generations.current("organisations.organisation") is None
    url = reverse("organisations:organisation-list")
    OrganisationFactory(name="Uncached")
    with CaptureQueriesContext(connection) as first:
        manager_client.get(url)
    with CaptureQueriesContext(connection) as second:
        manager_client.get(url)
    assert len(second.captured_queries) == len(first.captured_queries)


def test_an_api_list_is_cached_until_a_record_changes(manager_client):
    OrganisationFactory(name="Listed by the API")
    url = "/api/v1/organisations/?page_size=100"
    first = manager_client.get(url)
    assert "Listed by the API" in {row["name"] for row in first.json()["results"]}
    with CaptureQueriesContext(connection) as again:
        second = manager_client.get(url)
    assert second.json() == first.json() and second.data == first.json()
    assert not [q for q in again.captured_queries if "organisations_organisation" in q["sql"]]
    OrganisationFactory(name="Added since")
    assert "Added since" in {row["name"] for row in manager_client.get(url).json()["results"]}
    assert manager_client.get("/api/v1/organisations/?ordering=nonsense").status_code == 400


def test_an_api_list_is_not_shared_between_organisations(partner_user, other_partner_user, organisation,
                                                         other_organisation):
    from rest_framework.test import APIClient

    MoUFactory(partner_organisation=organisation, title="Ours")
    MoUFactory(partner_organisation=other_organisation, title="Theirs")
    titles = {}
    for user in (partner_user, other_partner_user):
        client = APIClient()
        client.force_authenticate(user)
        titles[user.pk] = {row["title"] for row in client.get("/api/v1/mous/").json()["results"]}
    assert titles[partner_user.pk] == {"Ours"}
    assert titles[other_partner_user.pk] == {"Theirs"}


def test_the_machinerys_own_writes_keep_the_cached_pages():
    watched = ("sessions.session", "indicators.snapshot", "organisations.organisation")
    before = generations.current(*watched)
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session["x"] = 1
    session.create()
    SnapshotFactory()
    assert generations.current(*watched) == before
    OrganisationFactory()
    assert generations.current(*watched) != before


def test_a_login_and_a_jobs_progress_keep_the_cached_pages(client, manager_user):
    from registers.models import Job

    manager_user.set_password("a long enough password 1")
    manager_user.save()
    watched = ("accounts.user", "registers.job")
    before = generations.current(*watched)
    assert client.login(username=manager_user.username, password="a long enough password 1")  # writes last_login
    job = Job.objects.create(kind=Job.Kind.EXPORT, subject="organisations:organisation", title="x", user=manager_user)
    job.record_progress(done=3)
    assert generations.current(*watched) == before
    manager_user.first_name = "Renamed"
    manager_user.save()
    assert generations.current(*watched) != before


def test_a_save_to_one_register_leaves_the_cached_pages_of_another(manager_client):
    MicroCredentialFactory(title="Cached credential")
    mou = MoUFactory(title="Old title")
    credentials = [reverse("training:micro-credential-list"), "/api/v1/micro-credentials/"]
    mous = reverse("alliance:mou-list")
    for url in credentials:
        assert "Cached credential" in manager_client.get(url).content.decode()
    assert "Old title" in manager_client.get(mous).content.decode()
    mou.title = "New title"
    mou.save()
    for url in credentials:
        with CaptureQueriesContext(connection) as again:
            assert "Cached credential" in manager_client.get(url).content.decode()
        assert not [q for q in again.captured_queries if "training_" in q["sql"] or "organisations_" in q["sql"]]
    with CaptureQueriesContext(connection) as rebuilt:
        assert "New title" in manager_client.get(mous).content.decode()
    assert [q for q in rebuilt.captured_queries if "alliance_mou" in q["sql"]]


def test_a_renamed_organisation_rebuilds_the_lists_that_show_its_name(manager_client):
    organisation = OrganisationFactory(name="Old name")
    AllianceMemberFactory(organisation=organisation)
    MicroCredentialFactory(awarding_body=organisation)
    lists = [reverse("alliance:member-list"), reverse("training:micro-credential-list")]
    for url in lists:
        assert "Old name" in manager_client.get(url).content.decode()
    organisation.name = "New name"
    organisation.save()
    for url in lists:
        page = manager_client.get(url).content.decode()
        assert "New name" in page and "Old name" not in page


def _path_models(model, path):
    """The models a field path (``"organisation__name"``) crosses from ``model``."""
    found = set()
    for part in path.split("__"):
        field = model._meta.get_field(part)
        if not field.is_relation:
            break
        model = field.related_model
        found.add(model._meta.label_lower)
    return found


def test_a_list_reads_the_generations_of_every_model_its_columns_and_filters_show():
    from registers.registry import REGISTER_PAGES, loaded

    loaded()
    for register in REGISTER_PAGES.values():
        shown = set(generations.shown_with(register.model))
        columns = {label for c in register.columns if isinstance(c.value, str)
                   for label in _path_models(register.model, c.value)}
        filters = register.filterset_class.base_filters.values() if register.filterset_class else ()
        offered = {f.queryset.model._meta.label_lower for f in filters if getattr(f, "queryset", None) is not None}
        assert register.model._meta.label_lower in shown
        assert columns | offered <= shown, register.name


# --- The MoU list: search and sort ---------------------------------------------------------------


def test_mou_list_searches_and_sorts(manager_client):
    MoUFactory(title="Welding exchange", signed_on=datetime.date(2025, 3, 1))
    MoUFactory(title="Automation lab", signed_on=datetime.date(2025, 1, 1))
    url = reverse("alliance:mou-list")
    page = manager_client.get(url + "?q=weld").content.decode()
    assert "Welding exchange" in page and "Automation lab" not in page.split('id="all"')[1]
    page = manager_client.get(url + "?sort=title").content.decode().split('id="all"')[1]
    assert page.index("Automation lab") < page.index("Welding exchange")
    page = manager_client.get(url + "?sort=-title").content.decode().split('id="all"')[1]
    assert page.index("Welding exchange") < page.index("Automation lab")


def test_mou_list_answers_a_bad_sort_with_a_message(manager_client):
    MoUFactory(title="Welding exchange")
    response = manager_client.get(reverse("alliance:mou-list") + "?sort=password")
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_mou_list_cache_follows_a_review(manager_client):
    mou = MoUFactory(title="Waiting one", status=MoU.Status.SUBMITTED)
    url = reverse("alliance:mou-list")
    assert "Waiting one" in manager_client.get(url).content.decode().split('id="all"')[0]
    mou.status = MoU.Status.REJECTED
    mou.save()
    assert "Waiting one" not in manager_client.get(url).content.decode().split('id="all"')[0]


def test_the_public_page_is_cached_until_a_record_changes(client, manager_client):
    from indicators.models import Indicator
    from tests.factories import IndicatorFactory

    indicator = IndicatorFactory(title="Published figure", is_public=True)
    first = client.get(reverse("indicators:public")).content.decode()
    assert "Published figure" in first
    with CaptureQueriesContext(connection) as again:
        client.get(reverse("indicators:public"))
    assert not [q for q in again.captured_queries if "indicators_indicator" in q["sql"]]
    Indicator.objects.filter(pk=indicator.pk).update(title="Not seen: update() sends no signal")
    indicator.refresh_from_db()
    indicator.title = "Renamed figure"
    indicator.save()
    page = client.get(reverse("indicators:public")).content.decode()
    assert "Renamed figure" in page


def test_the_registers_index_is_cached_per_rights_until_a_record_changes(manager_client, staff_client):
    from indicators.models import Indicator
    from tests.factories import IndicatorFactory

    report = reverse("indicators:report-create")
    assert f'href="{report}"' not in manager_client.get(reverse("registers")).content.decode()
    IndicatorFactory(code="reported-thing", source=Indicator.Source.REPORTED)  # a record: the index follows
    with CaptureQueriesContext(connection) as first:
        assert f'href="{report}"' in manager_client.get(reverse("registers")).content.decode()
    with CaptureQueriesContext(connection) as again:
        manager_client.get(reverse("registers"))
    assert len(again.captured_queries) < len(first.captured_queries)
    assert not [q for q in again.captured_queries if "indicators_indicator" in q["sql"]]
    staff = staff_client.get(reverse("registers")).content.decode()
    assert f'href="{report}"' not in staff and ">Add<" not in staff
