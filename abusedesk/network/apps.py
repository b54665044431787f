from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "abusedesk.network"
    label = "network"
