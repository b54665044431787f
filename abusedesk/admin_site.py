"""The Django admin: for superusers only, logged in through the project's login.

The admin shows every row of every model (child-abuse cases, reports and mails
included), so it is not for staff with view permissions: the desk is, and it
applies the visibility rules. Its login is the project's (rate limited, with the
authenticator code), never the admin's own password-only form.
"""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse


class SuperuserAdminSite(admin.AdminSite):
    def has_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def login(self, request, extra_context=None):
        if request.user.is_authenticated:
            raise PermissionDenied  # logged in, but not a superuser: no login loop
        return redirect_to_login(request.GET.get("next") or reverse("admin:index"))
