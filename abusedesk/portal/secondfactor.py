"""When a password alone is enough, and the middleware that holds every session to it.

A user with a confirmed authenticator app (django-otp device) has a second factor:
a session of theirs counts only if it was verified with a code (the login view does
that), and HTTP Basic (a password alone) is refused for them. Staff with access to
child-abuse content can be required to have one (OTP_REQUIRED_FOR_COMPLIANCE, on by
default in production): until they set it up they reach only the security page.
Staff sessions also end after STAFF_IDLE_MINUTES without a request.
"""

from datetime import datetime

from django.conf import settings
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp import user_has_device

from abusedesk.lib import clock
from abusedesk.lib.roles import is_compliance

LAST_SEEN = "abusedesk_last_seen"


def must_have_second_factor(user) -> bool:
    return bool(settings.OTP_REQUIRED_FOR_COMPLIANCE and is_compliance(user))


def password_alone_allowed(user) -> bool:
    """HTTP Basic and any other password-only way in: only without a second factor."""
    return not user_has_device(user) and not must_have_second_factor(user)


def _verified(user) -> bool:
    check = getattr(user, "is_verified", None)
    return bool(check and check())


# Where a user who still has to set up an app may go.
def _setup_paths():
    return {reverse("portal:security"), reverse("logout"), reverse("login")}


class SecondFactorMiddleware:
    """After OTPMiddleware: ends password-only sessions of users with an app, sends
    compliance staff without one to set it up, and ends idle staff sessions."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            refused = self._check(request, user)
            if refused is not None:
                return refused
        return self.get_response(request)

    def _check(self, request, user):
        if user.is_staff and self._idle(request):
            logout(request)
            return None
        if _verified(user):
            return None
        if user_has_device(user):
            # A session opened with a password alone (or before the app was added).
            logout(request)
            return None
        if must_have_second_factor(user) and request.path not in _setup_paths():
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": _("Set up a second factor (an authenticator app) first.")},
                                    status=403)
            return redirect("portal:security")
        return None

    @staticmethod
    def _idle(request) -> bool:
        now = clock.now()
        seen = request.session.get(LAST_SEEN)
        if seen is not None:
            idle = (now - datetime.fromisoformat(seen)).total_seconds()
            if idle > settings.STAFF_IDLE_MINUTES * 60:
                return True
            if idle < 60:  # write the session at most once a minute
                return False
        request.session[LAST_SEEN] = now.isoformat()
        return False
