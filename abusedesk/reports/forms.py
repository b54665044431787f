from django import forms
from django.utils.translation import gettext_lazy as _

from abusedesk.lib import clock
from abusedesk.network.models import Entity
from abusedesk.parsers.base import CATEGORIES

from .labels import CATEGORY
from .render import FORMATS

LANGUAGES = [("en", "English"), ("nl", "Nederlands"), ("de", "Deutsch")]


class KpiFilterForm(forms.Form):
    """The dashboard's filters; the page passes them on to the KPI API unchanged."""

    entity = forms.ModelChoiceField(Entity.objects.order_by("code"), to_field_name="code", required=False,
                                    empty_label=_("all entities"), label=_("Entity"))
    category = forms.ChoiceField(required=False, label=_("Category"))
    start = forms.DateField(required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))
    interval = forms.ChoiceField(choices=[("week", _("per week")), ("month", _("per month"))], required=False,
                                 label=_("Trend"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("all categories"))] + [(c, CATEGORY[c]) for c in CATEGORIES]


class TransparencyForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=9998, label=_("Year"))
    entity = forms.ModelChoiceField(Entity.objects.order_by("code"), to_field_name="code", required=False,
                                    empty_label=_("all entities"), label=_("Entity"))
    language = forms.ChoiceField(choices=LANGUAGES, initial="en", label=_("Language"))
    format = forms.ChoiceField(choices=[(f, f.upper()) for f in FORMATS], initial="pdf", label=_("Format"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = clock.now().year - 1
