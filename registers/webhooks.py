"""Signed webhooks, the sending side: sign a delivery, check where it goes, post it, log the attempt.

No Celery here (``registers.tasks.deliver_webhook_task`` runs ``deliver`` and retries it) and no
event (``registers.webhook_events`` records the deliveries and queues them).

Each delivery is a JSON body posted with::

    X-LCAMP-Event: indicator.value_changed
    X-LCAMP-Delivery: <the delivery's id: the same on every retry, so a receiver can drop repeats>
    X-LCAMP-Timestamp: <Unix seconds of this attempt>
    X-LCAMP-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" keyed with the endpoint's secret>

A receiver recomputes the HMAC over the timestamp, a dot and the raw body, compares it in constant
time, and refuses a timestamp more than a few minutes old (a replayed request).

Every address the endpoint's host resolves to must be public (not loopback, private, link-local,
reserved, multicast...) unless WEBHOOKS_ALLOW_PRIVATE_ADDRESSES; the request then goes to the
address that was checked (not to a second lookup that could answer otherwise), and a redirect is
not followed.
"""

import datetime
import hashlib
import hmac
import ipaddress
import json
import socket
import time
from urllib.parse import urlsplit

import urllib3
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from .models import WebhookAttempt, WebhookDelivery

SIGNATURE_HEADER = "X-LCAMP-Signature"
TIMESTAMP_HEADER = "X-LCAMP-Timestamp"
EVENT_HEADER = "X-LCAMP-Event"
DELIVERY_HEADER = "X-LCAMP-Delivery"
RESPONSE_BYTES_READ = 64 * 1024


class UnsafeAddress(Exception):
    """The endpoint's host is, or resolves to, an address webhooks are not sent to."""


def body_of(payload: dict) -> bytes:
    return json.dumps(payload, cls=DjangoJSONEncoder, separators=(",", ":"), sort_keys=True).encode()


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>``: the HMAC-SHA256 of ``<timestamp>.<body>`` keyed with ``secret``."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def backoff(attempt: int) -> int:
    """Seconds to wait after the failed ``attempt`` (1, 2, ...): WEBHOOK_BACKOFF_SECONDS, then doubling."""
    return settings.WEBHOOK_BACKOFF_SECONDS * 2 ** (attempt - 1)


def check_address(address: str) -> None:
    """Refuse an address that is not public (IPv4-mapped IPv6 addresses judged as their IPv4)."""
    if settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES:
        return
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    mapped = getattr(ip, "ipv4_mapped", None)
    if mapped is not None:
        ip = mapped
    if not ip.is_global or ip.is_multicast:
        raise UnsafeAddress(f"{address} is not a public address")


def resolve(url: str) -> tuple[str, str, int, list[str]]:
    """``(scheme, host, port, addresses)`` of ``url``, every address checked (``check_address``)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeAddress("only http and https URLs with a host are sent to")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise UnsafeAddress(f"{parts.hostname} does not resolve: {error}") from error
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    for address in addresses:
        check_address(address)
    return parts.scheme, parts.hostname, port, addresses


def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST ``body`` to ``url`` at its checked address; the response's status (redirects not followed)."""
    scheme, host, port, addresses = resolve(url)
    parts = urlsplit(url)
    timeout = urllib3.Timeout(connect=min(5.0, settings.WEBHOOK_TIMEOUT_SECONDS),
                              read=settings.WEBHOOK_TIMEOUT_SECONDS)
    address = addresses[0]
    if scheme == "https":
        pool: urllib3.HTTPConnectionPool = urllib3.HTTPSConnectionPool(
            address, port, timeout=timeout, retries=False, server_hostname=host, assert_hostname=host,
            cert_reqs="CERT_REQUIRED")
    else:
        pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False)
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    with pool:
        response = pool.urlopen("POST", path, body=body, headers={**headers, "Host": netloc}, redirect=False,
                                retries=False, preload_content=False)
        response.read(RESPONSE_BYTES_READ)
        response.release_conn()
        return response.status


def deliver(delivery: WebhookDelivery) -> WebhookAttempt:
    """Make one attempt of ``delivery`` and log it; the delivery says whether to try again
    (``status`` retrying, ``attempt.retry_in_seconds``)."""
    endpoint = delivery.endpoint
    body = body_of(delivery.payload)
    timestamp = str(int(time.time()))
    headers = {"Content-Type": "application/json", "User-Agent": "LCAMP-Tracker-Webhooks/1",
               EVENT_HEADER: delivery.event, DELIVERY_HEADER: str(delivery.pk), TIMESTAMP_HEADER: timestamp,
               SIGNATURE_HEADER: signature(endpoint.secret, timestamp, body)}
    number = delivery.attempts + 1
    started = time.monotonic()
    status, error, unsafe = None, "", False
    try:
        status = post(endpoint.url, body, headers)
    except UnsafeAddress as refused:
        error, unsafe = f"Refused: {refused}", True
    except (urllib3.exceptions.HTTPError, OSError) as failed:
        error = f"{type(failed).__name__}: {failed}"
    delivered = status is not None and 200 <= status < 300
    retry_in = None
    if delivered:
        delivery.status = WebhookDelivery.Status.DELIVERED
    elif not unsafe and number < settings.WEBHOOK_MAX_ATTEMPTS:
        retry_in = backoff(number)
        delivery.status = WebhookDelivery.Status.RETRYING
    else:
        delivery.status = WebhookDelivery.Status.FAILED
    delivery.attempts = number
    delivery.next_attempt_at = timezone.now() + datetime.timedelta(seconds=retry_in) if retry_in else None
    delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
    return WebhookAttempt.objects.create(
        delivery=delivery, number=number, response_status=status, error=error[:500],
        duration_ms=int((time.monotonic() - started) * 1000), retry_in_seconds=retry_in)
