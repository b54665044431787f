"""Screening: the signals an order (or an existing customer) raises, and its risk score.

Each signal has a code, a weight and a plain explanation with its evidence, so that
staff see why, not only how much. The score is the sum of the weights (at most 100);
the level follows from it (LEVELS). The rules for "the same party" are in matching.py.
"""

import ipaddress

import iptocc
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from abusedesk.network.models import Customer

from . import maildomains, matching
from .models import QUESTIONNAIRE_TYPES, Order, Profile, RiskLevel, WatchListEntry

WEIGHTS = {
    "watch_list": 80,
    "ex_customer": 60,
    "ex_customer_network": 25,  # only the signup IP's /24 matches: shared networks are common
    "disposable_email": 40,
    "country_mismatch": 20,
    "free_mail": 15,
    "questionnaire_required": 10,
}
# (lowest score, level), highest first.
LEVELS = [(60, RiskLevel.HIGH), (25, RiskLevel.MEDIUM), (0, RiskLevel.LOW)]
# Customers whose account was ended for abuse: only enforcement (enforcement.actions) sets these states.
EX_CUSTOMER_STATES = (Customer.State.TERMINATED, Customer.State.SUSPENDED)


def level_for(score: int) -> str:
    return next(level for lowest, level in LEVELS if score >= lowest)


def order_party(order: Order) -> matching.Party:
    return matching.Party(label=f"order {order.pk}").add(
        names=[order.company_name], registrations=[order.registration_number], emails=[order.email],
        phones=[order.phone], websites=[order.website], payments=[order.payment_fingerprint],
        ips=[order.signup_ip], region=order.billing_country)


def customer_party(customer: Customer) -> matching.Party:
    """A customer's identifiers: its account, and what KYC recorded (profile) if anything."""
    party = matching.Party(label=f"customer {customer.reference}").add(
        names=[customer.name], emails=[customer.main_email, customer.abuse_email])
    try:
        profile = customer.kyc_profile
    except Profile.DoesNotExist:  # a customer from before KYC, or from an import
        profile = None
    if profile is not None:
        party.add(registrations=[profile.registration_number], emails=[profile.email], phones=[profile.phone],
                  websites=[profile.website], payments=[profile.payment_fingerprint], ips=[profile.signup_ip])
    return party


def watch_party(entry: WatchListEntry) -> matching.Party:
    return matching.Party(label=f"watch list: {entry.name}").add(
        names=[entry.name, *entry.aliases], registrations=entry.registration_numbers, emails=entry.emails,
        phones=entry.phones, websites=entry.domains, email_domains=False)


def ex_customers():
    return Customer.objects.filter(state__in=EX_CUSTOMER_STATES).select_related("kyc_profile")


def _signal(code: str, explanation: str, evidence: list[str], weight: int | None = None) -> dict:
    return {"code": code, "weight": WEIGHTS[code] if weight is None else weight, "explanation": explanation,
            "evidence": evidence}


def ex_customer_signals(party: matching.Party, exclude_customer_id=None) -> list[dict]:
    signals = []
    for customer in ex_customers():
        if customer.pk == exclude_customer_id:
            continue
        evidence, strong = matching.compare(party, customer_party(customer))
        if evidence:
            signals.append(_signal(
                "ex_customer",
                _("Matches %(customer)s, whose account was %(state)s for abuse.") % {
                    "customer": str(customer), "state": customer.get_state_display()},
                evidence, None if strong else WEIGHTS["ex_customer_network"]))
    return signals


def watch_list_signals(party: matching.Party, entries=None) -> list[dict]:
    signals = []
    for entry in entries if entries is not None else WatchListEntry.objects.all():
        evidence, _strong = matching.compare(party, watch_party(entry))
        if evidence:
            signals.append(_signal(
                "watch_list",
                _("Matches the watch-list entry %(name)s (source: %(source)s, %(date)s).") % {
                    "name": entry.name, "source": entry.source, "date": entry.listed_on},
                evidence))
    return signals


def mail_signals(order: Order) -> list[dict]:
    d = matching.email_domain(order.email)
    if maildomains.is_disposable(d):
        return [_signal("disposable_email", _("The e-mail address is at a disposable-mail service."), [d])]
    if maildomains.is_free(d):
        return [_signal("free_mail", _("A business order with a free-mail address."), [d])]
    return []


def ip_country(ip) -> str:
    try:
        addr = ipaddress.ip_address(str(ip))
    except ValueError:
        return ""
    if not addr.is_global:
        return ""
    return iptocc.country_code(str(addr)) or ""


def country_signals(order: Order) -> list[dict]:
    countries = {
        "signup IP": ip_country(order.signup_ip) if order.signup_ip else "",
        "phone": matching.phone_country(order.phone),
        "address": (order.billing_country or "").upper(),
    }
    known = {k: v for k, v in countries.items() if v}
    if len(set(known.values())) < 2:
        return []
    evidence = [f"{k}: {v}" for k, v in known.items()]
    return [_signal("country_mismatch", _("The countries of the signup IP, phone and address disagree."), evidence)]


def questionnaire_signals(order: Order) -> list[dict]:
    if order.business_type not in QUESTIONNAIRE_TYPES:
        return []
    return [_signal("questionnaire_required",
                    _("Business type %(type)s must answer the questionnaire before approval.") % {
                        "type": order.get_business_type_display()}, [order.business_type])]


def screen(order: Order) -> tuple[int, str, list[dict]]:
    """(score, level, signals) of an order. Explanations are stored in the site's language
    (LANGUAGE_CODE), whatever language the request that brought the order spoke."""
    with translation.override(settings.LANGUAGE_CODE):
        return _screen(order)


def _screen(order: Order) -> tuple[int, str, list[dict]]:
    party = order_party(order)
    signals = (ex_customer_signals(party) + watch_list_signals(party) + mail_signals(order)
               + country_signals(order) + questionnaire_signals(order))
    # One code counts once towards the score (its heaviest instance): two matching ex-customers
    # are not twice as bad as one, and the score stays readable.
    heaviest: dict[str, int] = {}
    for s in signals:
        heaviest[s["code"]] = max(heaviest.get(s["code"], 0), s["weight"])
    score = min(100, sum(heaviest.values()))
    return score, level_for(score), signals
