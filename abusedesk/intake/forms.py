"""The public notice form (EU Digital Services Act, Art. 16 notice and action)."""

import ipaddress
import json
from urllib.parse import urlsplit

from django import forms
from django.utils.translation import gettext_lazy as _

from abusedesk.cases.models import CATEGORY_CHOICES

CHILD_ABUSE = "csam"


class NoticeForm(forms.Form):
    category = forms.ChoiceField(label=_("What kind of abuse?"), choices=CATEGORY_CHOICES)
    location = forms.CharField(
        label=_("Exact location"), max_length=2048,
        help_text=_("The exact URL, or the IP address (with port and time if you have them)."))
    explanation = forms.CharField(
        label=_("Why is this illegal or abusive?"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("A sufficiently substantiated explanation; paste log lines or headers as text."))
    name = forms.CharField(label=_("Your name"), max_length=200, required=False)
    email = forms.EmailField(label=_("Your email address"), required=False,
                             help_text=_("For the receipt and our decision."))
    bona_fide = forms.BooleanField(
        label=_("I am convinced in good faith that the information in this notice is accurate and complete."))
    website = forms.CharField(required=False, label="", widget=forms.TextInput(attrs={
        "class": "hp", "tabindex": "-1", "autocomplete": "off", "aria-hidden": "true"}))

    def clean_location(self):
        value = self.cleaned_data["location"].strip()
        if any(ch in value for ch in "\r\n\x00"):
            raise forms.ValidationError(_("One location, on one line."))
        try:
            ipaddress.ip_address(value)
            return value
        except ValueError:
            pass
        parts = urlsplit(value if "://" in value else "http://" + value)
        if parts.scheme not in ("http", "https", "ftp") or not parts.hostname or "." not in parts.hostname:
            raise forms.ValidationError(_("Enter a URL or an IP address."))
        return value

    def clean(self):
        cleaned = super().clean()
        # Art. 16(2)(c): name and email are required, except for child sexual abuse notices.
        if cleaned.get("category") != CHILD_ABUSE:
            if not cleaned.get("name"):
                self.add_error("name", _("Please give your name (optional only for child abuse)."))
            if not cleaned.get("email"):
                self.add_error("email", _("Please give your email address (optional only for child abuse)."))
        if cleaned.get("website"):
            raise forms.ValidationError(_("This notice could not be accepted."), code="bot")
        return cleaned

    def as_notice(self, submitted_at, language: str) -> bytes:
        """The notice as stored in the raw store: the submitted fields, as JSON."""
        c = self.cleaned_data
        doc = {
            "abusedesk_notice": 1,
            "source": "form",
            "category": c["category"],
            "location": c["location"],
            "explanation": c["explanation"],
            "name": c.get("name") or "",
            "email": c.get("email") or "",
            "bona_fide": bool(c["bona_fide"]),
            "submitted_at": submitted_at.isoformat(),
            "language": language,
        }
        return json.dumps(doc, ensure_ascii=False, sort_keys=True).encode("utf-8")
