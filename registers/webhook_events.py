"""Signed webhooks, the events: what the floors above call where something happens.

``emit(event, data)`` records one delivery per active endpoint that wants ``event`` and queues
its sending when the transaction commits (rolled back, nothing is sent). Without any endpoint
it costs one query. The events and their ``data``:

- ``indicator.value_changed`` (``indicators.rollup.store``): ``indicator``, ``project``, ``date``,
  ``value``, ``previous_value`` (null for a first figure);
- ``submission.decided`` (``registers.reviews.review``, the one review workflow: partners'
  submissions, MoUs, reported values): ``record`` (``type``, ``id``, ``title``), ``decision``,
  ``note``, ``reviewed_at``, ``reviewed_by``, and for a partner's submission its ``register``,
  ``kind`` and ``record_id``;
- ``period.closed`` (``reporting.periods.period_close``): ``period`` (``id``, ``name``, ``project``,
  ``start_on``, ``end_on``), ``closed_by``.
"""

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from . import tasks
from .models import WebhookDelivery, WebhookEndpoint

Event = WebhookEndpoint.Event


def endpoints_for(event: str) -> list[WebhookEndpoint]:
    """The active endpoints that want ``event`` (few rows: filtered here, JSON lookups differ by database)."""
    return [endpoint for endpoint in WebhookEndpoint.objects.filter(is_active=True) if event in endpoint.events]


def wanted(event: str) -> bool:
    return bool(endpoints_for(event))


def emit(event: str, data: dict[str, Any]) -> list[WebhookDelivery]:
    endpoints = endpoints_for(event)
    if not endpoints:
        return []
    data = json.loads(json.dumps(data, cls=DjangoJSONEncoder))  # dates, decimals: as the body will say them
    now = timezone.now().isoformat()
    deliveries = []
    for endpoint in endpoints:
        delivery = WebhookDelivery(endpoint=endpoint, event=event)
        delivery.payload = {"id": str(delivery.pk), "event": event, "created_at": now, "data": data}
        deliveries.append(delivery)
    WebhookDelivery.objects.bulk_create(deliveries)
    for delivery in deliveries:
        transaction.on_commit(lambda pk=str(delivery.pk): tasks.deliver_webhook_task.delay(pk))
    return deliveries
