from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "abusedesk.demo"
    label = "demo"
