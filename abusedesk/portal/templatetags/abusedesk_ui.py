"""Small template helpers shared by the portal and the desk."""

from django import template
from django.utils.html import format_html
from django.utils.timesince import timeuntil
from django.utils.translation import gettext as _

from abusedesk.cases import labels
from abusedesk.cases.notify import zone
from abusedesk.lib import clock

register = template.Library()


@register.simple_tag
def deadline(case):
    """The deadline as a countdown; app.js keeps it ticking, the text works without JS."""
    if not case.deadline:
        return format_html('<span class="muted">{}</span>', _("no deadline"))
    if not case.is_open or case.state in ("resolved", "disputed", "restricted"):
        # The clock has stopped: say what the date is, and whether it was met.
        if case.state == "disputed":
            label = _("clock stopped by the dispute; the deadline was %(time)s")
        elif case.met_deadline is None:
            label = _("deadline %(time)s")
        elif case.met_deadline:
            label = _("resolved within the deadline of %(time)s")
        else:
            label = _("resolved after the deadline of %(time)s")
        return format_html('<time class="muted" datetime="{}">{}</time>', case.deadline.isoformat(),
                           label % {"time": case.deadline.strftime("%Y-%m-%d %H:%M UTC")})
    now = clock.now()
    left = (case.deadline - now).total_seconds()
    if left <= 0:
        cls, text = "countdown overdue", _("overdue by %(time)s") % {"time": timeuntil(now, case.deadline)}
    else:
        cls = "countdown soon" if left < 4 * 3600 else "countdown"
        text = _("%(time)s left") % {"time": timeuntil(case.deadline, now)}
    # Beside the countdown, the moment itself in the customer's own time zone.
    local = case.deadline.astimezone(zone(case.customer.timezone))
    return format_html('<time class="{}" datetime="{}" title="{}" data-deadline="{}">{}</time> '
                       '<span class="muted small deadline-at">{}</span>', cls,
                       case.deadline.isoformat(), case.deadline.strftime("%Y-%m-%d %H:%M UTC"),
                       case.deadline.isoformat(), text, local.strftime("%Y-%m-%d %H:%M %Z"))


@register.filter
def verb_label(verb):
    return labels.verb_label(verb or "")


@register.filter
def state_label(state):
    return labels.state_label(state or "")


@register.simple_tag
def state_badge(case):
    return format_html('<span class="state state-{}">{}</span>', case.state, case.get_state_display())
