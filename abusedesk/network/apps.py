from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "abusedesk.network"
    label = "network"

    def ready(self):
        # Connects the signals that mark the in-memory prefix index stale.
        from . import index  # noqa: F401
