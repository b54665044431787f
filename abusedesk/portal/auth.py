"""Every password check of abusedesk, rate limited in one place, and the login view.

The login form, HTTP Basic on the API and the admin (which sends its login to
the same view) all check passwords through `RateLimitedBackend`: after
LOGIN_RATE_LIMIT failures in 15 minutes per user name or per client address,
no password is checked at all (not even the right one), which also takes away
the cheap denial of service of making us hash guesses.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.views import LoginView, PasswordResetView
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django_otp import login as otp_login

from . import ratelimit
from .forms import LoginForm

WINDOW = 15 * 60


def _idents(request, username):
    name = (username or "").strip().lower()[:150]
    idents = [("login-user", name)] if name else []
    if request is not None:
        idents.append(("login-ip", ratelimit.client_ip(request)))
    return idents


def login_limited(request, username) -> bool:
    """True while this user name or this client has used up its failed logins."""
    return any(ratelimit.is_limited(scope, ident, settings.LOGIN_RATE_LIMIT)
               for scope, ident in _idents(request, username))


class RateLimitedBackend(ModelBackend):
    """Django's user/password check, counted and refused when over the limit."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if login_limited(request, username):
            raise PermissionDenied("too many failed logins")  # stops every backend
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            for scope, ident in _idents(request, username):
                ratelimit.hit(scope, ident, WINDOW)
        elif username:
            ratelimit.reset("login-user", username.strip().lower()[:150])
        return user


class RateLimitedLoginView(LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if login_limited(request, request.POST.get("username")):
            form = self.get_form()
            form.errors.clear()
            messages.error(request, _("Too many failed logins. Wait 15 minutes and try again."))
            response = self.render_to_response(self.get_context_data(form=form, limited=True))
            response.status_code = 429
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        if form.otp_device is not None:
            otp_login(self.request, form.otp_device)
        return response


class RateLimitedPasswordResetView(PasswordResetView):
    """At most PASSWORD_RESET_RATE_LIMIT reset requests an hour per address and per client:
    each sends a mail, so unlimited requests would flood a victim's inbox from our server."""

    def post(self, request, *args, **kwargs):
        email = (request.POST.get("email") or "").strip().lower()[:254]
        idents = [("reset-ip", ratelimit.client_ip(request))] + ([("reset-email", email)] if email else [])
        if any(ratelimit.is_limited(scope, ident, settings.PASSWORD_RESET_RATE_LIMIT) for scope, ident in idents):
            form = self.get_form()
            form.is_valid()
            form.add_error(None, _("Too many password reset requests. Wait an hour and try again."))
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        for scope, ident in idents:
            ratelimit.hit(scope, ident, 3600)
        return super().post(request, *args, **kwargs)
