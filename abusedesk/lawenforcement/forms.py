from django import forms
from django.utils.translation import gettext_lazy as _

from abusedesk.cases.models import CATEGORY_CHOICES
from abusedesk.network.models import Entity

from .models import Channel, Check, Identifier, RequestType
from .services import CANNOT_COMPLY_REASONS, DECISIONS


class RequestForm(forms.Form):
    """A request that came by post, fax or a portal, entered by the legal team."""

    entity = forms.ModelChoiceField(Entity.objects.all(), label=_("Entity addressed"))
    authority = forms.CharField(max_length=200, label=_("Authority"))
    country = forms.CharField(max_length=2, required=False, label=_("Country (ISO code)"))
    unit = forms.CharField(max_length=200, required=False, label=_("Unit"))
    officer = forms.CharField(max_length=200, required=False, label=_("Officer"))
    contact_channel = forms.CharField(max_length=320, required=False, label=_("Contact channel"))
    channel = forms.ChoiceField(choices=Channel.choices, initial=Channel.POST, label=_("Received by"))
    received_at = forms.DateTimeField(label=_("Received at (UTC)"))
    reference = forms.CharField(max_length=200, required=False, label=_("Authority's reference"))
    legal_basis = forms.CharField(max_length=1000, required=False, label=_("Legal basis"))
    type = forms.ChoiceField(choices=RequestType.choices, label=_("Type"))
    language = forms.ChoiceField(choices=[("en", "English"), ("nl", "Nederlands"), ("de", "Deutsch")],
                                 label=_("Authority's language"))
    requested_data = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                     label=_("Data requested"))
    confidential = forms.BooleanField(required=False, label=_("Confidential: do not notify the customer"))
    authority_deadline = forms.DateTimeField(required=False, label=_("Authority's deadline (UTC)"))
    ip = forms.GenericIPAddressField(required=False, label=_("IP address"))
    ip_at = forms.DateTimeField(required=False, label=_("Exact time of use (UTC)"))
    url = forms.URLField(required=False, max_length=2048, assume_scheme="https",
                         label=_("URL of the content (orders against content)"))
    category = forms.ChoiceField(choices=[("", "—"), *CATEGORY_CHOICES], required=False,
                                 label=_("Category of the content"))


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[(d, d) for d in DECISIONS], label=_("Decision"))
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, label=_("Reasons"))
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), required=False,
                           label=_("Text sent to the authority (empty: the prepared text)"))


class DiscloseForm(forms.Form):
    content = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), label=_("Exactly what was sent"))
    recipient = forms.CharField(max_length=320, required=False, label=_("Recipient"))
    channel = forms.ChoiceField(choices=Channel.choices, initial=Channel.EMAIL, label=_("Channel"))


class CheckForm(forms.Form):
    code = forms.ChoiceField(choices=Check.Code.choices)
    verdict = forms.ChoiceField(choices=[("", _("as computed")), ("pass", _("passes")), ("fail", _("fails"))],
                                required=False, label=_("Verdict"))
    note = forms.CharField(required=False, max_length=5000, label=_("Note"))


class IdentifierForm(forms.Form):
    kind = forms.ChoiceField(choices=Identifier.Kind.choices, label=_("Kind"))
    value = forms.CharField(max_length=2048, label=_("Value"))
    at = forms.DateTimeField(required=False, label=_("Exact time (UTC)"))


class ClockForm(forms.Form):
    reason = forms.ChoiceField(choices=[(k, k.replace("_", " ")) for k in CANNOT_COMPLY_REASONS], label=_("Reason"))
    note = forms.CharField(required=False, max_length=5000, label=_("Note"))
