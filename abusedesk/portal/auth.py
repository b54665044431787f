"""Login with rate limiting and the optional authenticator-app code."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import LoginView
from django.utils.translation import gettext as _
from django_otp import login as otp_login

from . import ratelimit
from .forms import LoginForm

WINDOW = 15 * 60


class RateLimitedLoginView(LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def _idents(self):
        username = (self.request.POST.get("username") or "").strip().lower()[:150]
        return [("login-ip", ratelimit.client_ip(self.request)), ("login-user", username)]

    def post(self, request, *args, **kwargs):
        limit = settings.LOGIN_RATE_LIMIT
        if any(ratelimit.is_limited(scope, ident, limit) for scope, ident in self._idents() if ident):
            form = self.get_form()
            form.errors.clear()
            messages.error(request, _("Too many failed logins. Wait 15 minutes and try again."))
            response = self.render_to_response(self.get_context_data(form=form, limited=True))
            response.status_code = 429
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        for scope, ident in self._idents():
            if ident:
                ratelimit.hit(scope, ident, WINDOW)
        return super().form_invalid(form)

    def form_valid(self, form):
        ratelimit.reset("login-user", self._idents()[1][1])
        response = super().form_valid(form)
        if form.otp_device is not None:
            otp_login(self.request, form.otp_device)
        return response
