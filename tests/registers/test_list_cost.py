"""Register lists cost the same with few and many records: no DISTINCT unless a filter crosses a
to-many relation, no COUNT(*) per register on /registers/, counts estimated above a threshold."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organisations.models import Organisation
from registers.api import ApiFilterBackend
from registers.counting import fast_count
from registers.search import lookup_crosses_to_many
from tests.factories import (
    AllianceMemberFactory,
    FactoryProductFactory,
    OrganisationFactory,
)
from training.models import FactoryProduct

pytestmark = pytest.mark.django_db


def queries_of(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def test_registers_index_counts_no_register(manager_client):
    OrganisationFactory.create_batch(3)
    sql = queries_of(manager_client, reverse("registers"))
    # The header's one count of the review inbox (coordinators) is not a register's.
    assert not [q for q in sql if "COUNT(" in q.upper() and "inbox_source" not in q], sql


@pytest.mark.parametrize("url", ["organisations:organisation-list", "alliance:member-list"])
def test_list_queries_do_not_grow_with_the_records(manager_client, url):
    AllianceMemberFactory.create_batch(3)
    few = queries_of(manager_client, reverse(url))
    AllianceMemberFactory.create_batch(40)
    many = queries_of(manager_client, reverse(url))
    assert len(many) == len(few)
    assert not [q for q in many if "DISTINCT" in q.upper()]


def test_search_without_to_many_has_no_distinct(manager_client):
    OrganisationFactory(name="Zubiri Manteo")
    sql = queries_of(manager_client, reverse("organisations:organisation-list") + "?q=ubir")
    assert not [q for q in sql if "DISTINCT" in q.upper()]


def test_a_filter_across_a_to_many_relation_keeps_rows_unique(manager_client):
    product = FactoryProductFactory()
    factories = list(product.factories.all())
    url = reverse("training:product-list") + f"?factories={factories[0].pk}"
    sql = queries_of(manager_client, url)
    assert [q for q in sql if "DISTINCT" in q.upper()]
    assert lookup_crosses_to_many(FactoryProduct, "factories")
    assert not lookup_crosses_to_many(FactoryProduct, "status")
    assert lookup_crosses_to_many(Organisation, "memberships__joined_on")


def test_small_counts_are_exact():
    OrganisationFactory.create_batch(3)
    assert fast_count(Organisation.objects.all()) == (Organisation.objects.count(), True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's estimate is PostgreSQL's")
def test_big_counts_are_the_planners_estimate(manager_client):
    OrganisationFactory.create_batch(30)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE organisations_organisation")
    count, exact = fast_count(Organisation.objects.all(), threshold=10)
    assert not exact and count > 10
    response = manager_client.get(reverse("organisations:organisation-list"))
    assert response.status_code == 200


def test_browsable_api_renders_no_filter_form_that_lists_organisations():
    assert ApiFilterBackend().to_html(None, Organisation.objects.all(), None) == ""
