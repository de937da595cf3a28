"""A change to a record that a measure counts queues a debounced roll-up, on commit.

Connected in ``IndicatorsConfig.ready`` to save, delete and many-to-many changes of
every model a registered measure lists, and of the indicator app's own inputs
(indicators, milestones, reports, reporting periods).
"""

from django.apps import apps
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from . import services

OWN_MODELS = ("indicators.Indicator", "indicators.Milestone", "indicators.Report", "indicators.ReportingPeriod")
M2M_ACTIONS = {"post_add", "post_remove", "post_clear"}


def queue_rollup():
    """Ask for a roll-up once the current transaction commits (at once outside one).

    A transaction saving many records queues one request, not one per record.
    """
    if services.rollups_are_deferred():
        return
    conn = transaction.get_connection()
    if conn.in_atomic_block and any(item[1] is services.rollup_request for item in conn.run_on_commit):
        return
    transaction.on_commit(services.rollup_request)


def on_save(sender, raw=False, **kwargs):
    if not raw:
        queue_rollup()


def on_delete(sender, **kwargs):
    queue_rollup()


def on_m2m_changed(sender, action, **kwargs):
    if action in M2M_ACTIONS:
        queue_rollup()


def watched_models():
    from .registry import registry

    return [apps.get_model(name) for name in sorted(registry.models() | set(OWN_MODELS))]


def connect():
    for model in watched_models():
        uid = f"indicators.rollup.{model._meta.label_lower}"
        post_save.connect(on_save, sender=model, dispatch_uid=uid + ".save")
        post_delete.connect(on_delete, sender=model, dispatch_uid=uid + ".delete")
        for m2m in model._meta.local_many_to_many:
            through = m2m.remote_field.through
            m2m_changed.connect(on_m2m_changed, sender=through, dispatch_uid=f"{uid}.{m2m.name}.m2m")
