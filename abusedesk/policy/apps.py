from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "abusedesk.policy"
    label = "policy"
