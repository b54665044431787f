from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AbusedeskConfig(AppConfig):
    """The project package itself: process commands (run, serve, worker), base templates, static."""

    name = "abusedesk"
    label = "abusedesk"


class AbusedeskAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with our site: superusers only, the project's login (admin_site.py)."""

    default = False  # named in INSTALLED_APPS; "abusedesk" itself stays AbusedeskConfig
    default_site = "abusedesk.admin_site.SuperuserAdminSite"
