from django import forms
from django.utils.translation import gettext_lazy as _

from abusedesk.cases.models import Case
from abusedesk.enforcement.actions import RESTRICTIONS
from abusedesk.enforcement.models import Action
from abusedesk.intake.models import Notifier
from abusedesk.lib.ids import IdField, parse_id
from abusedesk.network.models import Customer, Entity
from abusedesk.policy.deadlines import EXECUTABLE_AT_DEADLINE
from abusedesk.policy.models import DeadlinePolicy

ENFORCEMENT_KINDS = [(k, label) for k, label in Action.Kind.choices if k in RESTRICTIONS]


class StaffMessageForm(forms.Form):
    body = forms.CharField(label=_("Message"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 3}))
    internal = forms.BooleanField(label=_("Internal note (not shown to the customer)"), required=False)


class CloseForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=Case.CloseReason.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class MergeForm(forms.Form):
    into = IdField(label=_("Merge into case number"))


class ReassignForm(forms.Form):
    customer = forms.CharField(label=_("Customer reference"), max_length=100)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class ProposeActionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Action"), choices=ENFORCEMENT_KINDS)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)
    # What the statement of reasons cites: our terms where they ban what the law allows.
    ground = forms.ChoiceField(label=_("Ground"), required=False, choices=[
        ("", _("as the category says")), ("illegal", _("illegal content")), ("terms", _("our terms and conditions"))])


class BulkForm(forms.Form):
    ACTIONS = [("close", _("Close")), ("reopen", _("Reopen"))]
    action = forms.ChoiceField(label=_("With the selected cases"), choices=ACTIONS)
    reason = forms.ChoiceField(label=_("Reason"), choices=Case.CloseReason.choices, required=False)
    cases = forms.TypedMultipleChoiceField(coerce=int, choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any id is accepted here; the view limits them to the cases the user may see.
        # A value that is no id (a word, 20 digits) makes the form invalid.
        self.fields["cases"].choices = [(v, v) for v in self.data.getlist("cases")
                                        if parse_id(v) is not None] if self.data else []


class NotifierForm(forms.ModelForm):
    class Meta:
        model = Notifier
        fields = ["name", "kind", "email", "sender_addresses", "trusted", "auto_reply", "language"]
        widgets = {"sender_addresses": forms.Textarea(attrs={"rows": 3})}


class PolicyForm(forms.ModelForm):
    class Meta:
        model = DeadlinePolicy
        fields = ["entity", "category", "hours", "reminders", "informational", "at_deadline", "restriction"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left out: tell the desk only, and a null route should the policy ever propose one.
        self.fields["at_deadline"].required = self.fields["restriction"].required = False

    def clean(self):
        cleaned = super().clean()
        cleaned["at_deadline"] = cleaned.get("at_deadline") or DeadlinePolicy.AtDeadline.NOTIFY
        cleaned["restriction"] = cleaned.get("restriction") or "null_route"
        if cleaned.get("at_deadline") == DeadlinePolicy.AtDeadline.EXECUTE and \
                cleaned.get("category") not in EXECUTABLE_AT_DEADLINE:
            self.add_error("at_deadline", _("Only child abuse and terrorist content are restricted without approval."))
        return cleaned

    def clean_hours(self):
        hours = self.cleaned_data["hours"]
        if hours <= 0 or hours > 24 * 60:
            raise forms.ValidationError(_("Between a few minutes and 60 days."))
        return hours

    def clean_reminders(self):
        value = self.cleaned_data["reminders"].strip()
        try:
            numbers = [int(p) for p in value.split(",") if p.strip()]
        except ValueError:
            raise forms.ValidationError(_("Percentages separated by commas, e.g. 50,90.")) from None
        if any(n <= 0 or n >= 100 for n in numbers):
            raise forms.ValidationError(_("Each percentage must be between 1 and 99."))
        return ",".join(str(n) for n in numbers)


class EntityForm(forms.ModelForm):
    terms_url = forms.URLField(label=_("Acceptable use policy (URL)"), required=False, assume_scheme="https")

    class Meta:
        model = Entity
        fields = ["name", "abuse_email", "jurisdiction", "timezone", "language", "terms_url"]


class ContactForm(forms.ModelForm):
    class Meta:
        model = Customer
        fields = ["abuse_email"]

    def clean_abuse_email(self):
        if not self.cleaned_data["abuse_email"]:
            raise forms.ValidationError(_("Give an address."))
        return self.cleaned_data["abuse_email"]
