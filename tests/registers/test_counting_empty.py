"""A filter no row can match is counted as 0, never a 500 (Django raises EmptyResultSet while compiling it)."""

import pytest

from organisations.models import Region
from registers.counting import fast_count

pytestmark = pytest.mark.django_db


def test_an_impossible_filter_counts_zero():
    assert fast_count(Region.objects.filter(pk__in=[])) == (0, True)


def test_the_api_answers_an_impossible_filter_with_an_empty_page(manager_client):
    response = manager_client.get("/api/v1/regions/", {"level": -120418, "country": "MN"})
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert response.json()["count"] == 0
