from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "abusedesk.reports"
    label = "reports"
    verbose_name = "KPIs and the transparency report"

    def ready(self):
        # Deleted cases and reports mark their day for the roll-up (receivers in ready(), NetBox style).
        from . import signals  # noqa: F401
