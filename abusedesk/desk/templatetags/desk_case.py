"""Parts of the desk's case page that need their own query: the mails of the case and its owner."""

from django import template
from django.contrib.auth.models import User
from django.utils.html import format_html

from abusedesk.outbox.models import OutgoingMail

register = template.Library()


@register.inclusion_tag("desk/_case_mails.html")
def case_mails(case):
    """Every mail of the case (forward, reminders, escalation, statement, outcome, receipts) with its state."""
    mails = OutgoingMail.objects.filter(case=case).order_by("created_at", "id").only(
        "kind", "to", "subject", "state", "created_at", "sent_at", "bounced_at", "bounce_reason", "last_error",
        "attempts")
    return {"mails": mails}


@register.inclusion_tag("desk/_case_owner.html", takes_context=True)
def case_owner(context, case):
    staff = User.objects.filter(is_staff=True, is_active=True).order_by("username").values_list("username", flat=True)
    return {"case": case, "staff": list(staff[:200]), "user": context["user"], "csrf_token": context["csrf_token"]}


@register.simple_tag(takes_context=True)
def sort_link(context, key, label):
    """A column heading that sorts the list by `key` (again: the other way round)."""
    request = context["request"]
    params = request.GET.copy()
    current = params.get("sort", "")
    params["sort"] = key[1:] if current == key else ("-" + key if current == key.lstrip("-") else key)
    params.pop("page", None)
    arrow = " ▲" if current == key.lstrip("-") else " ▼" if current == "-" + key.lstrip("-") else ""
    return format_html('<a href="?{}" class="sort">{}{}</a>', params.urlencode(), label, arrow)


@register.simple_tag(takes_context=True)
def csv_link(context):
    params = context["request"].GET.copy()
    params["format"] = "csv"
    params.pop("page", None)
    return format_html('<a class="button" href="?{}" download>CSV</a>', params.urlencode())
