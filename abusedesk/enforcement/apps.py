from django.apps import AppConfig


class EnforcementConfig(AppConfig):
    name = "abusedesk.enforcement"
    label = "enforcement"

    def ready(self):
        # Receivers of cases.signals: restrictions lifted and repeat-offender flags refreshed
        # when a case's outcome changes (the cases app does not import enforcement for it).
        from . import signals  # noqa: F401
