"""`{% kyc_record customer %}`: what KYC knows of a customer, for the desk's customer page."""

from django import template

from abusedesk.kyc import obligations
from abusedesk.kyc.models import Order, Profile, PtrRecord, Review

register = template.Library()


@register.inclusion_tag("kyc/_record.html")
def kyc_record(customer):
    profile = Profile.objects.filter(customer=customer).first()
    status = obligations.hashcheck_status(profile) if profile else None
    return {
        "profile": profile,
        "hashcheck": obligations.LABELS[status] if status else None,
        "hashcheck_status": status,
        "order": Order.objects.filter(customer=customer).first(),
        "open_reviews": Review.objects.filter(customer=customer, state=Review.State.OPEN).count(),
        "ptr_problems": PtrRecord.objects.filter(customer=customer).exclude(status=PtrRecord.Status.OK).count(),
    }
