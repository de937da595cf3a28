"""Signed webhooks (issue 25): a real HTTP receiver on loopback (allowed by the setting in these tests)
gets one signed delivery per event; a failing one is retried with backoff and every attempt logged;
loopback and private addresses are refused unless the setting allows them."""

import datetime
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

import tests.indicators.conftest
from alliance import services as alliance_services
from indicators.models import OutboxEntry
from registers import webhook_events, webhooks
from registers.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from reporting import periods
from reporting.models import ReportingPeriod
from tests.factories import AllianceMemberFactory, MoUFactory, UserFactory

pytestmark = pytest.mark.django_db
project = tests.indicators.conftest.project
lcamp_indicators = tests.indicators.conftest.lcamp_indicators
SECRET = "s" * 40
ALL_EVENTS = list(WebhookEndpoint.Event.values)


class Receiver:
    def __init__(self):
        self.requests = []  # (path, headers, body)
        self.statuses = []  # what to answer, in turn; 200 once empty
        self.lock = threading.Lock()

    def of(self, event):
        return [r for r in self.requests if r[1]["X-LCAMP-Event"] == event]


@pytest.fixture
def receiver():
    received = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers["Content-Length"]))
            with received.lock:
                received.requests.append((self.path, dict(self.headers), body))
                status = received.statuses.pop(0) if received.statuses else 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    received.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/lcamp?source=tracker"
    yield received
    server.shutdown()
    server.server_close()


@pytest.fixture
def loopback_allowed(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOK_BACKOFF_SECONDS = 2
    settings.WEBHOOK_MAX_ATTEMPTS = 4


@pytest.fixture
def endpoint(receiver, loopback_allowed):
    return WebhookEndpoint.objects.create(name="Funder's system", url=receiver.url, secret=SECRET, events=ALL_EVENTS)


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def assert_signed(headers, body):
    timestamp = headers["X-LCAMP-Timestamp"]
    expected = hmac.new(SECRET.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-LCAMP-Signature"], f"sha256={expected}")
    assert abs(int(timestamp) - timezone.now().timestamp()) < 60
    assert headers["Content-Type"] == "application/json"


def test_a_change_drains_and_the_receiver_gets_one_signed_delivery_per_changed_indicator(
        lcamp_indicators, endpoint, receiver, commit):
    OutboxEntry.objects.all().delete()
    with commit():
        AllianceMemberFactory(joined_on=datetime.date(2024, 1, 15))
    sent = receiver.of("indicator.value_changed")
    assert sent, "nothing delivered"
    deliveries = WebhookDelivery.objects.filter(event="indicator.value_changed")
    assert len(sent) == deliveries.count()  # one request per delivery
    assert {r[1]["X-LCAMP-Delivery"] for r in sent} == {str(d.pk) for d in deliveries}
    assert all(d.status == WebhookDelivery.Status.DELIVERED and d.attempts == 1 for d in deliveries)
    payloads = [json.loads(body) for _, _, body in sent]
    codes = [p["data"]["indicator"] for p in payloads]
    assert "alliance-members" in codes and len(codes) == len(set(codes))  # one per indicator
    members = next(p for p in payloads if p["data"]["indicator"] == "alliance-members")
    assert members["event"] == "indicator.value_changed" and members["id"] == sent[codes.index(
        "alliance-members")][1]["X-LCAMP-Delivery"]
    assert members["data"]["value"] != members["data"]["previous_value"]
    for path, headers, body in sent:
        assert path == "/hooks/lcamp?source=tracker"
        assert_signed(headers, body)
    assert WebhookAttempt.objects.filter(response_status=200).count() == len(sent)


def test_a_drain_that_changes_no_value_sends_nothing(lcamp_indicators, endpoint, receiver, commit):
    from indicators import rollup

    OutboxEntry.objects.all().delete()
    with commit():
        rollup.rollup_all()
    before = len(receiver.requests)
    with commit():
        rollup.rollup_all()  # the same figures again
    assert len(receiver.requests) == before


def test_a_decision_and_a_closing_are_delivered_signed(lcamp_indicators, project, endpoint, receiver, commit,
                                                       manager_user):
    mou = MoUFactory()
    with commit():
        alliance_services.mou_review(mou=mou, reviewer=manager_user, decision="reject", note="No signature page.")
    [(_, headers, body)] = receiver.of("submission.decided")
    assert_signed(headers, body)
    data = json.loads(body)["data"]
    assert data["record"] == {"type": "alliance.mou", "id": mou.pk, "title": str(mou)}
    assert data["decision"] == "rejected" and data["note"] == "No signature page."
    assert data["reviewed_by"] == manager_user.username

    period = ReportingPeriod.objects.create(project=project, name="M1-M6", start_on=datetime.date(2023, 1, 1),
                                            end_on=datetime.date(2023, 6, 30))
    periods.period_review(period=period, user=manager_user)
    with commit():
        periods.period_close(period=period, user=manager_user)
    [(_, headers, body)] = receiver.of("period.closed")
    assert_signed(headers, body)
    assert json.loads(body)["data"]["period"] == {"id": period.pk, "name": "M1-M6", "project": project.code,
                                                  "start_on": "2023-01-01", "end_on": "2023-06-30"}


def test_an_endpoint_gets_only_the_events_it_chose_and_an_inactive_one_nothing(
        lcamp_indicators, receiver, loopback_allowed, commit, manager_user):
    WebhookEndpoint.objects.create(name="Decisions", url=receiver.url, secret=SECRET, events=["submission.decided"])
    WebhookEndpoint.objects.create(name="Off", url=receiver.url, secret=SECRET, events=ALL_EVENTS, is_active=False)
    OutboxEntry.objects.all().delete()
    with commit():
        AllianceMemberFactory(joined_on=datetime.date(2024, 1, 15))
        alliance_services.mou_review(mou=MoUFactory(), reviewer=manager_user, decision="reject", note="No.")
    assert [r[1]["X-LCAMP-Event"] for r in receiver.requests] == ["submission.decided"]


def test_a_failing_receiver_is_retried_with_backoff_and_each_failure_logged(endpoint, receiver, commit):
    receiver.statuses = [500, 500, 503]
    with commit():
        [delivery] = webhook_events.emit("period.closed", {"period": {"id": 1}})
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED and delivery.attempts == 4
    log = list(delivery.attempt_log.order_by("number").values_list("number", "response_status", "retry_in_seconds"))
    assert log == [(1, 500, 2), (2, 500, 4), (3, 503, 8), (4, 200, None)]  # the backoff doubles
    assert len({r[1]["X-LCAMP-Delivery"] for r in receiver.requests}) == 1 and len(receiver.requests) == 4
    for _, headers, body in receiver.requests:
        assert_signed(headers, body)


def test_a_receiver_that_keeps_failing_is_given_up_after_the_last_attempt(endpoint, receiver, commit):
    receiver.statuses = [500] * 10
    with commit():
        [delivery] = webhook_events.emit("period.closed", {"period": {"id": 1}})
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED and delivery.attempts == 4
    assert list(delivery.attempt_log.values_list("response_status", flat=True)) == [500] * 4
    assert delivery.attempt_log.order_by("number").last().retry_in_seconds is None
    assert len(receiver.requests) == 4


def test_the_task_asks_celery_to_retry_after_the_backoff(endpoint, receiver, monkeypatch):
    from celery.exceptions import Retry

    from registers import tasks

    receiver.statuses = [500]
    [delivery] = webhook_events.emit("period.closed", {"period": {"id": 1}})
    asked = []

    def retry(**kwargs):
        asked.append(kwargs)
        return Retry()

    monkeypatch.setattr(tasks.deliver_webhook_task, "retry", retry)
    with pytest.raises(Retry):
        tasks.deliver_webhook_task.run(str(delivery.pk))
    assert asked == [{"countdown": 2}]
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.RETRYING and delivery.next_attempt_at > timezone.now()


def test_an_unreachable_receiver_is_logged_with_its_error(loopback_allowed, commit, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    WebhookEndpoint.objects.create(name="Gone", url="http://127.0.0.1:9/", secret=SECRET, events=ALL_EVENTS)
    with commit():
        [delivery] = webhook_events.emit("period.closed", {})
    errors = list(WebhookAttempt.objects.filter(delivery=delivery).values_list("response_status", "error"))
    assert len(errors) == 2 and all(status is None and error for status, error in errors)


def test_an_event_in_a_transaction_rolled_back_is_never_sent(endpoint, receiver, commit):
    with commit(), pytest.raises(RuntimeError), transaction.atomic():
        webhook_events.emit("period.closed", {})
        raise RuntimeError("rolled back")
    assert not WebhookDelivery.objects.exists() and receiver.requests == []


def test_without_endpoints_an_event_writes_nothing(db):
    assert webhook_events.emit("period.closed", {}) == []
    assert not WebhookDelivery.objects.exists()


# --- Where deliveries go ---------------------------------------------------------------------------


def test_loopback_is_refused_without_the_setting_and_nothing_is_sent(receiver, settings, commit):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    WebhookEndpoint.objects.create(name="Local", url=receiver.url, secret=SECRET, events=ALL_EVENTS)
    with commit():
        [delivery] = webhook_events.emit("period.closed", {})
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED and delivery.attempts == 1  # not retried
    assert "not a public address" in delivery.attempt_log.get().error
    assert receiver.requests == []


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
                                     "100.64.0.1", "0.0.0.0", "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1",
                                     "::ffff:10.0.0.1", "224.0.0.1", "255.255.255.255"])
def test_non_public_addresses_are_refused(address, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(webhooks.UnsafeAddress):
        webhooks.check_address(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"])
def test_public_addresses_pass(address, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    webhooks.check_address(address)


@pytest.mark.parametrize("url", ["http://localhost:8000/", "http://127.1/", "http://[::1]/", "ftp://example.org/",
                                 "http:///nohost", "http://0x7f000001/"])
def test_every_resolved_address_is_checked(url, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(webhooks.UnsafeAddress):
        webhooks.resolve(url)


def test_a_host_resolving_to_one_private_address_among_public_ones_is_refused(settings, monkeypatch):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    monkeypatch.setattr(webhooks.socket, "getaddrinfo", lambda *args, **kwargs: [
        (2, 1, 6, "", ("93.184.215.14", 443)), (2, 1, 6, "", ("10.0.0.5", 443))])
    with pytest.raises(webhooks.UnsafeAddress):
        webhooks.resolve("https://mixed.example.org/hook")


# --- The administrator's side ------------------------------------------------------------------------


def test_an_administrator_registers_an_endpoint_and_reads_the_delivery_log(admin_client, endpoint, receiver,
                                                                            commit, settings):
    add = reverse("admin:registers_webhookendpoint_add")
    response = admin_client.post(add, {"name": "Partner system", "url": "https://93.184.215.14/hook",
                                       "secret": "k" * 40, "events": ["period.closed"]})  # not active yet
    assert response.status_code == 302, response.content.decode()[:2000]
    registered = WebhookEndpoint.objects.get(name="Partner system")
    assert registered.events == ["period.closed"] and not registered.is_active
    receiver.statuses = [500]
    with commit():
        [delivery] = webhook_events.emit("period.closed", {})
    page = admin_client.get(reverse("admin:registers_webhookdelivery_change", args=[delivery.pk])).content.decode()
    assert "500" in page and "200" in page  # each attempt with its response status


@pytest.mark.parametrize("data, field", [
    ({"url": "http://127.0.0.1/hook"}, "url"),
    ({"url": "http://10.0.0.8/hook"}, "url"),
    ({"url": "javascript:alert(1)"}, "url"),
    ({"events": []}, "events"),
    ({"events": ["everything"]}, "events"),
    ({"secret": "short"}, "secret"),
])
def test_a_bad_endpoint_is_refused_in_the_admin(admin_client, settings, data, field):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    body = {"name": "Bad", "url": "https://93.184.215.14/hook", "secret": "k" * 40, "events": ["period.closed"],
            "is_active": "on", **data}
    response = admin_client.post(reverse("admin:registers_webhookendpoint_add"), body)
    assert response.status_code == 200 and field in response.context["adminform"].form.errors
    assert not WebhookEndpoint.objects.exists()


def test_only_administrators_reach_the_webhooks_in_the_admin(client, manager_user, endpoint):
    manager_user.is_staff = True
    manager_user.save()
    client.force_login(manager_user)
    for url in (reverse("admin:registers_webhookendpoint_changelist"),
                reverse("admin:registers_webhookdelivery_changelist"),
                reverse("admin:registers_webhookendpoint_change", args=[endpoint.pk])):
        assert client.get(url).status_code in (302, 403)
    staff_admin = UserFactory(username="not-admin", is_staff=True)
    client.force_login(staff_admin)
    assert client.get(reverse("admin:registers_webhookendpoint_add")).status_code in (302, 403)
