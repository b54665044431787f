"""Template context for portal pages."""

from abusedesk.network.models import Customer


def missing_abuse_contact(request):
    """A customer user whose account has no abuse contact sees a banner on every page until
    one is set: without it, notices go to the main contact or, failing that, nowhere."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.is_staff:
        return {}
    missing = Customer.objects.filter(users=user, abuse_email="").exclude(
        state=Customer.State.TERMINATED).values_list("name", flat=True)
    return {"customers_without_abuse_contact": list(missing[:5])}
