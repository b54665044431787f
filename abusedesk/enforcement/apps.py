from django.apps import AppConfig


class EnforcementConfig(AppConfig):
    name = "abusedesk.enforcement"
    label = "enforcement"
