from django import forms
from django.utils.translation import gettext_lazy as _

from . import config
from .models import Feed


class FeedForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=Feed.Kind.choices)
    url = forms.CharField(label=_("URL"), max_length=1000)
    options = forms.CharField(
        label=_("Options"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One KEY=VALUE a line (docs/feeds.md). Secrets only as secret-file=PATH or secret-env=NAME."))
    interval_minutes = forms.IntegerField(label=_("Minutes between runs"), min_value=1, max_value=7 * 24 * 60,
                                          initial=60)
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)

    def __init__(self, *args, feed: Feed | None = None, **kwargs):
        self.feed = feed
        if feed is not None and not args:
            kwargs.setdefault("initial", {
                "name": feed.name, "kind": feed.kind, "url": feed.url, "interval_minutes": feed.interval_minutes,
                "enabled": feed.enabled, "options": "\n".join(f"{k}={v}" for k, v in sorted(feed.options.items())),
            })
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            data["options"] = config.parse_options(
                [line for line in data.get("options", "").splitlines() if line.strip()])
            config.check(data["name"], data["kind"], data["url"], data["options"], data["interval_minutes"])
        except config.Invalid as exc:
            raise forms.ValidationError(str(exc)) from None
        other = Feed.objects.filter(name=data["name"]).exclude(pk=self.feed.pk if self.feed else None)
        if other.exists():
            raise forms.ValidationError(_("A feed with this name exists."))
        return data

    def save(self) -> Feed:
        data = self.cleaned_data
        feed, _created = config.save_feed(data["name"], data["kind"], data["url"], data["options"],
                                          data["interval_minutes"], enabled=data["enabled"], feed=self.feed)
        return feed
