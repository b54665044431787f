"""Desk pages are for staff only; others get a 404 so the desk does not announce itself."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404

from abusedesk.lib.roles import is_compliance, is_legal


def staff_required(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_staff:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def raw_visible(user, raw) -> bool:
    """The original of a child-abuse notice is for the compliance role only; a request from an
    authority is for the legal role only."""
    if raw.kind == "law_enforcement" and not is_legal(user):
        return False
    if is_compliance(user):
        return True
    return not (raw.category == "csam" or raw.reports.filter(
        case__sensitive=True).exists() or raw.reports.filter(category="csam").exists())
