from django import template

from abusedesk.lib.roles import is_legal as _is_legal

register = template.Library()


@register.filter
def is_legal(user) -> bool:
    """The navigation shows the register to the legal role only."""
    return _is_legal(user)
