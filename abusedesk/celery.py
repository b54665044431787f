"""The Celery application. Without CELERY_BROKER_URL there is no worker: abusedesk.lib.nudge.start runs tasks in-process."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "abusedesk.settings")

app = Celery("abusedesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["abusedesk.intake", "abusedesk.outbox", "abusedesk"], related_name="tasks")
