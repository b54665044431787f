from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "abusedesk.outbox"
    label = "outbox"
