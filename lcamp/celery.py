"""The Celery app, by the official Django recipe.

With REDIS_URL set, Redis is the broker; without it settings make every task run
eagerly in the calling process (CELERY_TASK_ALWAYS_EAGER).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lcamp.settings")

app = Celery("lcamp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
