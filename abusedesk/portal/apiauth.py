"""How the REST API knows who is calling: session, API token, or HTTP Basic.

HTTP Basic is a password alone: it goes through the same rate-limited check as
the login form (portal.auth) and is refused for users with a second factor.
"""

from django.utils.translation import gettext as _
from drf_spectacular.authentication import BasicScheme
from rest_framework import authentication, exceptions

from .auth import login_limited
from .secondfactor import password_alone_allowed


class PasswordBasicAuthentication(authentication.BasicAuthentication):
    def authenticate_credentials(self, userid, password, request=None):
        if login_limited(request, userid):
            raise exceptions.Throttled(detail=_("Too many failed logins. Wait 15 minutes and try again."))
        user, _auth = super().authenticate_credentials(userid, password, request)
        if not password_alone_allowed(user):
            raise exceptions.AuthenticationFailed(
                _("This account has a second factor: a password alone is not accepted. Use an API token."))
        return user, None


class PasswordBasicScheme(BasicScheme):
    target_class = PasswordBasicAuthentication
