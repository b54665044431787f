from django import forms
from django.utils.translation import gettext_lazy as _

from abusedesk.network.models import Entity

from .api import ORDER_INPUT
from .models import Order, WatchListEntry


class OrderForm(forms.ModelForm):
    """The desk's order form: the same fields the shop sends."""

    entity = forms.ModelChoiceField(queryset=Entity.objects.all(), label=_("Entity"))

    class Meta:
        model = Order
        fields = ["entity", *ORDER_INPUT]
        widgets = {"billing_address": forms.Textarea(attrs={"rows": 3}), "services": forms.Textarea(attrs={"rows": 2})}

    def clean_billing_country(self):
        return self.cleaned_data["billing_country"].upper()

    def clean_registration_country(self):
        return self.cleaned_data["registration_country"].upper()


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=[
        ("approve", _("Approve")), ("reject", _("Reject")), ("ask_info", _("Ask for more information"))])
    reason = forms.ChoiceField(label=_("Reason for a rejection"), required=False,
                               choices=[("", "—"), *Order.RejectReason.choices])
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not data.get("reason"):
            self.add_error("reason", _("A rejection needs a reason."))
        if data.get("decision") == "ask_info" and not data.get("note", "").strip():
            self.add_error("note", _("Say what information is missing."))
        return data


class CloseReviewForm(forms.Form):
    acted = forms.BooleanField(label=_("Action taken (otherwise: cleared)"), required=False)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}))


class ReviewAnswersForm(forms.Form):
    accept = forms.ChoiceField(label=_("Answers"), choices=[("yes", _("Accept")), ("no", _("Reject"))])
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]


class WatchListForm(forms.ModelForm):
    aliases_text = forms.CharField(label=_("Aliases (one a line)"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    domains_text = forms.CharField(label=_("Domains (one a line)"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    emails_text = forms.CharField(label=_("E-mail addresses (one a line)"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    phones_text = forms.CharField(label=_("Phones (one a line)"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    registrations_text = forms.CharField(label=_("Registration numbers (one a line)"), required=False,
                                         widget=forms.Textarea(attrs={"rows": 2}))

    class Meta:
        model = WatchListEntry
        fields = ["name", "source", "listed_on", "note"]
        widgets = {"listed_on": forms.DateInput(attrs={"type": "date"}), "note": forms.Textarea(attrs={"rows": 2})}

    def entry_fields(self) -> dict:
        d = self.cleaned_data
        return {"name": d["name"], "source": d["source"], "listed_on": d["listed_on"], "note": d["note"],
                "aliases": _lines(d["aliases_text"]), "domains": _lines(d["domains_text"]),
                "emails": _lines(d["emails_text"]), "phones": _lines(d["phones_text"]),
                "registration_numbers": _lines(d["registrations_text"])}


class QuestionnaireForm(forms.Form):
    """What a higher-risk customer tells us about its abuse handling (docs/kyc.md)."""

    abuse_contact = forms.EmailField(label=_("Abuse contact (e-mail address)"))
    abuse_policy = forms.CharField(label=_("Abuse policy (URL or text)"), max_length=4000,
                                   widget=forms.Textarea(attrs={"rows": 3}))
    takedown_procedure = forms.CharField(label=_("Notice-and-takedown procedure"), max_length=4000,
                                         widget=forms.Textarea(attrs={"rows": 4}))
    response_hours = forms.IntegerField(label=_("Response time to an abuse notice (hours)"), min_value=0,
                                        max_value=24 * 30)
    hashcheck_used = forms.BooleanField(label=_("Uploads are checked against the hotline's hash database "
                                                "(EOKM HashCheckService)"), required=False)
    hashcheck_since = forms.DateField(label=_("Since when (date)"), required=False,
                                      widget=forms.DateInput(attrs={"type": "date"}))
    ptr_names = forms.CharField(label=_("Reverse-DNS (PTR) names of your IP addresses, one a line"), required=False,
                                max_length=8000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, parts: dict, **kwargs):
        super().__init__(*args, **kwargs)
        if not parts["hashcheck"]:
            del self.fields["hashcheck_used"], self.fields["hashcheck_since"]
        if not parts["ptr"]:
            del self.fields["ptr_names"]
        else:
            self.fields["ptr_names"].required = True

    def clean(self):
        data = super().clean()
        if data.get("hashcheck_used") and not data.get("hashcheck_since"):
            self.add_error("hashcheck_since", _("Say since when."))
        return data

    def answers(self) -> dict:
        out = {}
        for name, value in self.cleaned_data.items():
            if name == "hashcheck_since":
                out[name] = value.isoformat() if value else ""
            elif name == "ptr_names":
                out[name] = [line.strip().rstrip(".").lower() for line in value.splitlines() if line.strip()]
            else:
                out[name] = value
        return out
