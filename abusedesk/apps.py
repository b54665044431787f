from django.apps import AppConfig


class AbusedeskConfig(AppConfig):
    """The project package itself: process commands (run, serve, worker), base templates, static."""

    name = "abusedesk"
    label = "abusedesk"
