"""The hash-check obligation: customers hosting uploads (cloud_storage, ugc_platform) must
check them against the child-abuse hotline's hash database (EOKM HashCheckService) and
confirm it, through the questionnaire, every KYC_REREQUEST_DAYS. The provider itself never
scans content; it only records whether the customer confirmed.

    confirmed  a confirmation accepted within the period
    overdue    the last accepted confirmation is older than the period
    missing    never confirmed
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from abusedesk.lib import clock

from .models import HASHCHECK_TYPES, Profile

CONFIRMED, OVERDUE, MISSING = "confirmed", "overdue", "missing"
LABELS = {CONFIRMED: _("confirmed"), OVERDUE: _("overdue"), MISSING: _("missing")}


def _cutoff():
    return clock.now() - timedelta(days=settings.KYC_REREQUEST_DAYS)


def hashcheck_status(profile: Profile) -> str | None:
    """None when the obligation does not apply."""
    if profile.business_type not in HASHCHECK_TYPES:
        return None
    if profile.hashcheck_confirmed_at is None:
        return MISSING
    return CONFIRMED if profile.hashcheck_confirmed_at >= _cutoff() else OVERDUE


def hashcheck_queue():
    """Profiles whose confirmation is missing or overdue (the desk's queue), customers still with us."""
    return (Profile.objects.filter(business_type__in=HASHCHECK_TYPES).exclude(customer__state="terminated")
            .filter(Q(hashcheck_confirmed_at__isnull=True) | Q(hashcheck_confirmed_at__lt=_cutoff()))
            .select_related("customer"))
