from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user, match_token

from abusedesk.cases.models import Case

from .models import ALLOWED_TYPES, ApiToken, content_matches, safe_filename


class LoginForm(AuthenticationForm):
    """User name, password and, for users with an authenticator app, its 6-digit code."""

    otp_token = forms.CharField(label=_("Authenticator code"), required=False, max_length=8,
                                widget=forms.TextInput(attrs={"autocomplete": "one-time-code",
                                                              "inputmode": "numeric"}))

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        self.otp_device = None
        if user is not None and any(devices_for_user(user, confirmed=True)):
            token = (cleaned.get("otp_token") or "").strip()
            device = match_token(user, token) if token else None
            if device is None:
                raise forms.ValidationError(_("Enter the current code of your authenticator app."),
                                            code="otp_required")
            self.otp_device = device
        return cleaned


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Message"), max_length=20_000,
                           widget=forms.Textarea(attrs={"rows": 4}))


class ResolveForm(forms.Form):
    resolution = forms.ChoiceField(label=_("How did you solve it?"), choices=Case.Resolution.choices,
                                   widget=forms.RadioSelect)
    text = forms.CharField(label=_("Details"), required=False, max_length=20_000,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("resolution") == Case.Resolution.OTHER and not (cleaned.get("text") or "").strip():
            self.add_error("text", _("Describe the solution."))
        return cleaned


class DisputeForm(forms.Form):
    text = forms.CharField(label=_("Why is this notice wrong?"), max_length=20_000,
                           widget=forms.Textarea(attrs={"rows": 3}))


class ExtensionForm(forms.Form):
    hours = forms.IntegerField(label=_("How many more hours?"), min_value=1, max_value=168)
    reason = forms.CharField(label=_("Why do you need more time?"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.ATTACHMENT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(_("The file is larger than %(limit)s kB.") % {"limit": limit // 1024})
        name = safe_filename(upload.name)
        ext = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if ext not in ALLOWED_TYPES:
            raise forms.ValidationError(_("Allowed file types: %(types)s.") % {
                "types": ", ".join(sorted(ALLOWED_TYPES))})
        data = upload.read(limit + 1)
        if len(data) > limit:
            raise forms.ValidationError(_("The file is larger than %(limit)s kB.") % {"limit": limit // 1024})
        if not content_matches(ext, data[:4096]):
            raise forms.ValidationError(_("The file's content does not match its type."))
        upload.seek(0)
        self.safe_name, self.content_type, self.content = name, ALLOWED_TYPES[ext], data
        return upload


class AbuseContactForm(forms.Form):
    customer = forms.ModelChoiceField(label=_("Account"), queryset=None, empty_label=None)
    abuse_email = forms.EmailField(label=_("Abuse contact address"))

    def __init__(self, *args, customers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers


class TOTPConfirmForm(forms.Form):
    token = forms.CharField(label=_("Code from your authenticator app"), max_length=8)


class RemoveTOTPForm(forms.Form):
    """Removing the second factor needs the factor itself or the password, not just a session
    (a session left open on a shared computer must not be able to turn it off)."""

    code_or_password = forms.CharField(label=_("Current code or your password"), max_length=200,
                                       widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    def __init__(self, user, device, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.device, self.request = user, device, request

    def clean_code_or_password(self):
        value = self.cleaned_data["code_or_password"]
        if self.device is not None and value.strip().isdigit() and self.device.verify_token(value.strip()):
            return value
        # The rate-limited password check (portal.auth), as at the login form.
        if authenticate(self.request, username=self.user.get_username(), password=value) is not None:
            return value
        raise forms.ValidationError(_("That is neither the current code nor your password."))


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("What it is for"), max_length=100)
    scope = forms.ChoiceField(label=_("Allowed"), choices=[])
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, initial=90)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = ApiToken.SCOPES
        self.fields["days"].max_value = settings.API_TOKEN_MAX_DAYS
        self.fields["days"].validators.append(MaxValueValidator(settings.API_TOKEN_MAX_DAYS))
