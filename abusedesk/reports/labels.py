"""Names the report and the dashboard show, translated (the JSON keeps the codes)."""

from django.utils.translation import gettext_lazy as _

CATEGORY = {
    "spam": _("Spam"),
    "phishing": _("Phishing"),
    "malware": _("Malware"),
    "botnet": _("Botnet"),
    "ddos": _("DDoS"),
    "scanning": _("Scanning"),
    "brute_force": _("Brute force"),
    "copyright": _("Copyright"),
    "csam": _("Child sexual abuse material"),
    "terrorism": _("Terrorist content"),
    "fraud": _("Fraud"),
    "vulnerable_service": _("Vulnerable service"),
    "blocklist": _("Blocklist"),
    "other": _("Other"),
}
NOTIFIER_KIND = {
    "person": _("person"),
    "organisation": _("organisation"),
    "feed": _("feed"),
    "trusted_flagger": _("trusted flagger"),
    "hotline": _("hotline"),
    "authority": _("authority"),
    "cdn": _("CDN"),
    "unknown": _("unknown"),
}
SOURCE = {
    "notice": _("notice (DSA Art 16)"),
    "trusted_flagger": _("trusted flagger"),
    "hotline": _("hotline"),
    "feed": _("feed or blocklist"),
    "authority_order": _("order from an authority"),
    "own_initiative": _("own initiative"),
}
ACTION = {
    "reminder": _("reminder"),
    "escalation": _("escalation"),
    "null_route": _("null route"),
    "suspend_service": _("suspension of a service"),
    "suspend_account": _("suspension of an account"),
    "terminate": _("termination"),
    "restore": _("restore"),
}
STEP = {"none": _("none"), "warn": _("warning"), "suspend": _("suspension"), "terminate": _("termination")}
CLOSE = {
    "resolved": _("resolved"),
    "not_ours": _("not ours"),
    "dispute_upheld": _("dispute upheld"),
    "no_action": _("no action needed"),
    "merged": _("merged"),
    "terminated": _("customer terminated"),
}


def label(table: dict, code) -> str:
    return str(table.get(code, code or "–"))
