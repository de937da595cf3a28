"""Registers in a real browser: a manager adds an alliance member from the dashboard card and the
card shows one more; the manager edits a record and sees the change in its history."""

import re

import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _role_groups(transactional_db):
    """The flush after a transactional test removes the groups the data migration made."""
    from django.contrib.auth.models import Group

    from accounts.roles import ROLES

    for name in ROLES:
        Group.objects.get_or_create(name=name)


def card_value(page, code):
    text = page.locator(f"article:has(#card-{code}) .card-value .value").inner_text()
    return int(float(text.replace(",", "")))


def test_manager_adds_member_from_dashboard_card_and_edits_it(page, demo_site, login):
    login(page, "manager")
    page.goto("/")
    before = card_value(page, "alliance-members")
    page.locator("article:has(#card-alliance-members) .card-actions a").click()
    page.wait_for_url(re.compile(r"/registers/alliance-members/new/\?next="))
    # The organisation picker is there (served from static, no inline script) ...
    assert page.locator("#id_organisation").is_visible()
    # ... but this member is a new organisation, typed in.
    page.fill("#id_new_organisation_name", "Lycée Jules Verne")
    page.select_option("#id_new_organisation_country", "FR")
    page.select_option("#id_new_organisation_kind", "vet")
    page.select_option("#id_category", "vet")
    assert page.input_value("#id_joined_on")  # defaults to today
    page.click("main form.form button[type=submit]")
    page.wait_for_url(lambda url: url.rstrip("/").count("/") == 2)  # back on the dashboard, "http://host:port/"
    assert "Added alliance member: Lycée Jules Verne" in page.locator(".messages").inner_text()
    assert card_value(page, "alliance-members") == before + 1

    # Edit it: the change shows in the record's history.
    page.goto("/registers/alliance-members/?q=Jules")
    page.get_by_role("link", name="Lycée Jules Verne").first.click()
    page.get_by_role("link", name="Edit").click()
    page.select_option("#id_category", "research")
    page.fill("#id_note", "Joined through the Nantes cluster")
    page.click("main form.form button[type=submit]")
    page.wait_for_url(re.compile(r"/registers/alliance-members/\d+/$"))
    history = page.locator("ol.history").inner_text()
    assert "Category: VET centres → Research centres and universities of applied sciences" in history
    assert "manager" in history


def test_picker_filters_the_organisation_list(page, demo_site, login):
    login(page, "manager")
    page.goto("/registers/alliance-members/new/")
    page.locator("#id_organisation").press_sequentially("tkn", delay=50)
    option = page.locator(".picker-results li[role=option]", has_text="TKNIKA").first
    option.click()
    assert "TKNIKA" in page.locator("#id_organisation").input_value().upper()
    assert page.locator("#id_organisation_value").input_value()
