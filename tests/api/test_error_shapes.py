"""Bad query parameters answer 400 with the documented shape: ``{"field": ["message"]}``."""

import pytest

URLS = ["/api/v1/mous/", "/api/v1/alliance-members/", "/api/v1/indicators/"]


@pytest.mark.parametrize("url", URLS)
def test_a_nul_in_the_search_answers_400_under_search(manager_client, url):
    response = manager_client.get(url + "?search=a%00b")
    assert response.status_code == 400
    assert response.json() == {"search": ["Null characters are not allowed."]}


@pytest.mark.parametrize("value", ["null", "0", "", "-1", "abc", "1.5"])
def test_a_bad_page_size_answers_400_under_page_size(manager_client, value):
    response = manager_client.get(f"/api/v1/mous/?page_size={value}")
    assert response.status_code == 400
    body = response.json()
    assert list(body) == ["page_size"] and "whole number" in body["page_size"][0]


def test_a_good_page_size_is_taken_and_one_past_the_maximum_refused(manager_client):
    assert manager_client.get("/api/v1/mous/?page_size=3").status_code == 200
    response = manager_client.get("/api/v1/mous/?page_size=100000")
    assert response.status_code == 400 and list(response.json()) == ["page_size"]


def test_an_empty_format_answers_400_under_format(manager_client):
    response = manager_client.get("/api/v1/mous/?format=")
    assert response.status_code == 400
    assert list(response.json()) == ["format"]
    assert response["Content-Type"].startswith("application/json")


def test_format_json_still_works(manager_client):
    assert manager_client.get("/api/v1/mous/?format=json").status_code == 200
