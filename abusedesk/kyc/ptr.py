"""PTR check for VPN customers: the reverse DNS of every address they hold must name
their business (their website's domain, or the distinctive part of their name), so that
a victim of abuse from a VPN exit can see whose it is.

A periodic job (sweep step `check_due`) checks each VPN customer every
KYC_PTR_CHECK_HOURS: the IPv4 addresses of its current assignments (at most
MAX_ADDRESSES per customer; IPv6 prefixes are too large to walk and are left out).
Results replace the previous ones (PtrRecord) and show in the customer's portal.
"""

import ipaddress
from datetime import timedelta

import dns.exception
import dns.resolver
import dns.reversename
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q

from abusedesk.lib import clock
from abusedesk.network.dns import _nameserver
from abusedesk.network.models import Assignment

from . import matching
from .models import BusinessType, Profile, PtrRecord

MAX_ADDRESSES = 1024


def _resolver() -> dns.resolver.Resolver:
    if settings.DNS_SERVERS:
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = [_nameserver(s) for s in settings.DNS_SERVERS]
    else:
        resolver = dns.resolver.Resolver()
    resolver.timeout = resolver.lifetime = settings.DNS_TIMEOUT
    return resolver


def lookup(resolver, ip: str) -> tuple[str, str]:
    """(ptr name, "" | "missing" | "error")."""
    try:
        answer = resolver.resolve(dns.reversename.from_address(ip), "PTR", search=False)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return "", "missing"
    except dns.exception.DNSException:
        return "", "error"
    return str(answer[0].target).rstrip(".").lower(), ""


def names_business(ptr: str, profile: Profile) -> bool:
    ptr = ptr.lower()
    site = matching.domain(profile.website) or matching.email_domain(profile.email)
    if site and (ptr == site or ptr.endswith("." + site)):
        return True
    token = matching.distinctive(matching.name_words(profile.customer.name))
    return len(token) >= matching.SHORT_NAME and token in ptr.replace("-", "").replace(".", "")


def addresses(customer) -> list[str]:
    out: list[str] = []
    for a in Assignment.objects.active_at(clock.now()).filter(customer=customer, version=4).order_by("first_hex"):
        for addr in ipaddress.ip_network(a.prefix).hosts() if a.prefix_length < 32 else [
                ipaddress.ip_network(a.prefix).network_address]:
            out.append(str(addr))
            if len(out) >= MAX_ADDRESSES:
                return out
    return out


def check(profile: Profile, resolver=None) -> dict[str, int]:
    """Look up every address of the customer; store and return the counts per status."""
    resolver = resolver or _resolver()
    now = clock.now()
    rows = []
    for ip in addresses(profile.customer):
        name, problem = lookup(resolver, ip)
        if problem:
            status = PtrRecord.Status.MISSING if problem == "missing" else PtrRecord.Status.ERROR
        else:
            status = PtrRecord.Status.OK if names_business(name, profile) else PtrRecord.Status.MISMATCH
        rows.append(PtrRecord(customer=profile.customer, ip=ip, ptr=name[:255], status=status, checked_at=now))
    with transaction.atomic():
        PtrRecord.objects.filter(customer=profile.customer).delete()
        PtrRecord.objects.bulk_create(rows)
        Profile.objects.filter(pk=profile.pk).update(ptr_checked_at=now)
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.status] = counts.get(r.status, 0) + 1
    return counts


def check_due(limit: int = 20) -> int:
    """Sweep step: VPN customers not checked for KYC_PTR_CHECK_HOURS, oldest first."""
    cutoff = clock.now() - timedelta(hours=settings.KYC_PTR_CHECK_HOURS)
    due = (Profile.objects.filter(business_type=BusinessType.VPN, customer__state="active")
           .filter(Q(ptr_checked_at__isnull=True) | Q(ptr_checked_at__lt=cutoff))
           .select_related("customer").order_by(F("ptr_checked_at").asc(nulls_first=True), "pk")[:limit])
    resolver = _resolver()
    n = 0
    for profile in due:
        check(profile, resolver)
        n += 1
    return n

