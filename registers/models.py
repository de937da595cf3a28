from django.db import models


class TrackedModel(models.Model):
    """Common columns of the register records.

    ``version`` grows by one on every save through a service; a form carries the
    version it was read at, so that a stale edit is refused instead of silently
    overwriting somebody else's change. ``is_demo`` marks records made by
    ``demo_data``.
    """

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    is_demo = models.BooleanField(default=False, editable=False, db_index=True)

    class Meta:
        abstract = True
