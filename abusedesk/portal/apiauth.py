"""How the REST API knows who is calling: session, API token, or HTTP Basic.

HTTP Basic is a password alone: it goes through the same rate-limited check as
the login form (portal.auth) and is refused for users with a second factor.

API tokens (portal.models.ApiToken) carry scopes, checked here for every view,
whatever its permission classes: `read` allows the safe methods anywhere the
user may read; any other scope allows only views that list it in their
`token_scopes` attribute (e.g. `token_scopes = ("orders",)`), with any method.
"""

from datetime import timedelta

from django.utils.translation import gettext as _
from drf_spectacular.authentication import BasicScheme, TokenScheme
from rest_framework import authentication, exceptions, permissions

from abusedesk.lib import clock

from .auth import login_limited
from .models import ApiToken
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


def token_allows(token: ApiToken, view, method: str) -> bool:
    """The one rule of token scopes."""
    scopes = set(token.scope_list)
    if scopes & set(getattr(view, "token_scopes", ())):
        return True
    return "read" in scopes and method in permissions.SAFE_METHODS


class ScopedTokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token adt_...`: a live (not expired, not revoked) token, within its scopes."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        _user, token = result
        view = (getattr(request, "parser_context", None) or {}).get("view")
        if not token_allows(token, view, request.method):
            raise exceptions.PermissionDenied(
                _("This token's scopes (%(scopes)s) do not allow this request.") % {"scopes": token.scopes})
        return result

    def authenticate_credentials(self, key):
        now = clock.now()
        token = ApiToken.for_key(key, now)
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)  # not a write per request
        return token.user, token


class ScopedTokenScheme(TokenScheme):
    target_class = ScopedTokenAuthentication
