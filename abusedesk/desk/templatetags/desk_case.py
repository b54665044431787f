"""Parts of the desk's case page that need their own query: the mails of the case and its owner."""

from django import template
from django.contrib.auth.models import User

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
