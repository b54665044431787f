from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "abusedesk.desk"
    label = "desk"

    def ready(self):
        # Receivers of cases.signals: staff alerts (the cases app does not import the desk for them).
        from . import signals  # noqa: F401
