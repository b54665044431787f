from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "abusedesk.portal"
    label = "portal"
