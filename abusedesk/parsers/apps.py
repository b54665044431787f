from django.apps import AppConfig


class ParsersConfig(AppConfig):
    name = "abusedesk.parsers"
    label = "parsers"
