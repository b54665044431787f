import ipaddress
import re

import django_filters
from django.db import connection
from django.db.models import BooleanField, F, Func, Q, Value

from abusedesk.lib.api import ChoicesFilter, FilterSet, IdFilter, StrictBooleanFilter
from abusedesk.lib.ids import parse_id
from abusedesk.lib.ipaddr import parse_ip
from abusedesk.network.models import Customer

from .models import Case, CaseNotifier, Message, Report
from .states import State

CASE_REF = re.compile(r"(?i)AD-?0*(\d{1,18})")


class CaseFilterSet(FilterSet):
    ip = django_filters.CharFilter(method="filter_ip", label="IP address or prefix")
    customer = django_filters.CharFilter(method="filter_customer", label="Customer reference or id")
    state = ChoicesFilter(choices=State.choices)
    category = django_filters.CharFilter()
    notifier = IdFilter(field_name="notifier_id")
    received_after = django_filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="gte")
    received_before = django_filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="lt")
    open = StrictBooleanFilter(method="filter_open")
    q = django_filters.CharFilter(method="filter_q", label="Search: case reference, target, customer, "
                                                            "notifier reference, reporter address, evidence")

    class Meta:
        model = Case
        fields = ["ip", "customer", "state", "category", "notifier", "sensitive"]

    def filter_ip(self, queryset, name, value):
        addr = parse_ip(value)
        if addr is not None:
            return queryset.filter(ip=str(addr))
        try:
            net = ipaddress.ip_network(value.strip(), strict=False)
        except ValueError:
            return queryset.none()
        if net.num_addresses == 1:
            return queryset.filter(ip=str(net.network_address))
        if connection.vendor == "postgresql":
            # inet containment, exact for any IPv4/IPv6 prefix.
            contained = Func(F("ip"), Func(Value(str(net)), template="%(expressions)s::cidr"),
                             arg_joiner=" <<= ", template="%(expressions)s", output_field=BooleanField())
            return queryset.filter(contained)
        # Addresses are stored as text: narrow by the prefix's whole leading octets (IPv4) with an
        # indexed string range ('/' sorts right after '.'), then check the rest exactly.
        candidates = queryset.exclude(ip=None)
        if net.version == 4 and 8 <= net.prefixlen < 32:
            lead = ".".join(str(net.network_address).split(".")[: net.prefixlen // 8]) + "."
            candidates = candidates.filter(ip__gte=lead, ip__lt=lead[:-1] + "/")
            if net.prefixlen % 8 == 0:  # the octets are the whole prefix: exact already
                return candidates
        ips = [ip for ip in candidates.values_list("ip", flat=True).distinct()
               if ipaddress.ip_address(ip) in net]
        return queryset.filter(ip__in=ips)

    def filter_customer(self, queryset, name, value):
        # One column, chosen here: an end customer's cases carry it as end_customer,
        # everyone else's as customer. (An OR over both columns defeats the indexes.)
        customer = Customer.objects.filter(reference=value).first()
        if customer is None and parse_id(value) is not None:
            customer = Customer.objects.filter(pk=parse_id(value)).first()
        if customer is None:
            return queryset.none()
        if customer.parent_id:
            return queryset.filter(end_customer_id=customer.pk)
        return queryset.filter(customer_id=customer.pk)

    def filter_open(self, queryset, name, value):
        return queryset.open() if value else queryset.exclude(pk__in=queryset.open())

    def filter_q(self, queryset, name, value):
        """The case reference (AD-000042), the target, the customer (name or reference), the notifier's own
        reference, the reporter's address, or words of the evidence."""
        value = value.strip()[:200]
        ref = CASE_REF.fullmatch(value)
        if ref:
            return queryset.filter(pk=int(ref.group(1)))
        reports = Report.objects.filter(Q(source_ref__iexact=value) | Q(evidence__icontains=value)
                                        | Q(raw_message__envelope_from__iexact=value)
                                        | Q(notifier__email__iexact=value)).values("case_id")
        return queryset.filter(Q(target__icontains=value) | Q(customer__name__icontains=value)
                               | Q(customer__reference__iexact=value) | Q(pk__in=reports)
                               | Q(pk__in=CaseNotifier.objects.filter(Q(reference__iexact=value) | Q(email__iexact=value))
                                   .values("case_id")))


class ReportFilterSet(FilterSet):
    ip = django_filters.CharFilter(method="filter_ip", label="IP address")
    case = IdFilter(field_name="case_id")
    status = django_filters.CharFilter()
    category = django_filters.CharFilter()

    class Meta:
        model = Report
        fields = ["ip", "case", "status", "category"]

    def filter_ip(self, queryset, name, value):
        addr = parse_ip(value)
        if addr is None:
            return queryset.none()
        # Through the case's indexed IP; reports without a case by their own (Report's indexes).
        return queryset.filter(Q(case__in=Case.objects.filter(ip=str(addr)).values("pk"))
                               | Q(case__isnull=True, ip=str(addr)))


def newest_first(queryset, params):
    """Newest cases first, in the order the database can serve from an index.

    Ids follow arrival, so "-id" is newest first; the customer indexes end in the
    id, so a customer's cases come ordered for free. With one state selected (and
    no customer), the (state, received_at) index gives the same order without
    sorting every case in that state.
    """
    states = params.getlist("state") if hasattr(params, "getlist") else []
    if len(states) == 1 and not params.get("customer"):
        return queryset.order_by("-received_at", "-id")
    return queryset.order_by("-id")


class MessageFilterSet(FilterSet):
    case = IdFilter(field_name="case_id")

    class Meta:
        model = Message
        fields = ["case"]
