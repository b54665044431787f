from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "abusedesk.cases"
    label = "cases"
