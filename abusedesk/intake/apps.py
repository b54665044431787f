from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "abusedesk.intake"
    label = "intake"
