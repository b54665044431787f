"""The public notice form (EU Digital Services Act, Art. 16 notice and action)."""

import ipaddress
import json
from urllib.parse import urlsplit

from django import forms
from django.utils.translation import gettext_lazy as _

from abusedesk.cases.models import CATEGORY_CHOICES

CHILD_ABUSE = "csam"
MAX_LOCATIONS = 20


class NoticeForm(forms.Form):
    # No category is chosen for the sender: a wrong default would set the wrong deadline.
    category = forms.ChoiceField(label=_("What kind of abuse?"), choices=[("", "—")] + CATEGORY_CHOICES)
    locations = forms.CharField(
        label=_("Exact locations"), max_length=MAX_LOCATIONS * 2100, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The exact URLs, or IP addresses (with port and time if you have them): one per line, "
                    "up to %(n)d.") % {"n": MAX_LOCATIONS})
    how_to_find = forms.CharField(
        label=_("How to find the content"), max_length=2000, required=False,
        help_text=_("If the location alone is not enough: where on the page, which post, the time in a video."))
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

    @staticmethod
    def _location(value: str) -> str:
        try:
            ipaddress.ip_address(value)
            return value
        except ValueError:
            pass
        parts = urlsplit(value if "://" in value else "http://" + value)
        if parts.scheme not in ("http", "https", "ftp") or not parts.hostname or "." not in parts.hostname:
            raise forms.ValidationError(_("Enter a URL or an IP address on each line: %(value)s"),
                                        params={"value": value[:100]})
        return value

    def clean_locations(self):
        lines = [line.strip() for line in self.cleaned_data["locations"].replace("\r", "\n").split("\n")]
        values = list(dict.fromkeys(line for line in lines if line))
        if not values:
            raise forms.ValidationError(_("Enter a URL or an IP address."))
        if len(values) > MAX_LOCATIONS:
            raise forms.ValidationError(_("At most %(n)d locations in one notice."), params={"n": MAX_LOCATIONS})
        if any("\x00" in v or len(v) > 2048 for v in values):
            raise forms.ValidationError(_("One location, on one line."))
        return [self._location(v) for v in values]

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
            "locations": c["locations"],
            "how_to_find": c.get("how_to_find") or "",
            "explanation": c["explanation"],
            "name": c.get("name") or "",
            "email": c.get("email") or "",
            "bona_fide": bool(c["bona_fide"]),
            "submitted_at": submitted_at.isoformat(),
            "language": language,
        }
        return json.dumps(doc, ensure_ascii=False, sort_keys=True).encode("utf-8")
