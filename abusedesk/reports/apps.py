from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "abusedesk.reports"
    label = "reports"
    verbose_name = "KPIs and the transparency report"
