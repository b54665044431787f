from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "abusedesk.desk"
    label = "desk"
