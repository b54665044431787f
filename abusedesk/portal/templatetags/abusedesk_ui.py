"""Small template helpers shared by the portal and the desk."""

from django import template
from django.utils.html import format_html
from django.utils.timesince import timeuntil
from django.utils.translation import gettext as _

from abusedesk.lib import clock

register = template.Library()


@register.simple_tag
def deadline(case):
    """The deadline as a countdown; app.js keeps it ticking, the text works without JS."""
    if not case.deadline:
        return format_html('<span class="muted">{}</span>', _("no deadline"))
    if not case.is_open or case.state in ("resolved", "disputed"):
        # The clock has stopped: say what the date is, and whether it was met.
        if case.met_deadline is None:
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
    return format_html('<time class="{}" datetime="{}" title="{}" data-deadline="{}">{}</time>', cls,
                       case.deadline.isoformat(), case.deadline.strftime("%Y-%m-%d %H:%M UTC"),
                       case.deadline.isoformat(), text)


@register.simple_tag
def state_badge(case):
    return format_html('<span class="state state-{}">{}</span>', case.state, case.get_state_display())
