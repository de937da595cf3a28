"""The admin site is no side door: it neither adds MoUs or reports nor decides them."""

from django.urls import reverse

from alliance.models import MoU
from tests.factories import MoUFactory


def test_the_admin_cannot_add_an_mou_or_a_report(admin_client):
    assert admin_client.get(reverse("admin:alliance_mou_add")).status_code == 403
    assert admin_client.get(reverse("admin:indicators_report_add")).status_code == 403


def test_the_admin_cannot_approve_an_mou_by_editing_its_status(admin_client, organisation):
    mou = MoUFactory(partner_organisation=organisation)
    page = admin_client.get(reverse("admin:alliance_mou_change", args=[mou.pk])).content.decode()
    assert 'name="status"' not in page
    mou.refresh_from_db()
    assert mou.status == MoU.Status.SUBMITTED
