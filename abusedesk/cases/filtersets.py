import ipaddress

import django_filters
from django.db.models import Q

from abusedesk.lib.ipaddr import parse_ip

from .models import Case, Report
from .states import State


class CaseFilterSet(django_filters.FilterSet):
    ip = django_filters.CharFilter(method="filter_ip", label="IP address or prefix")
    customer = django_filters.CharFilter(method="filter_customer", label="Customer reference or id")
    state = django_filters.MultipleChoiceFilter(choices=State.choices)
    category = django_filters.CharFilter()
    notifier = django_filters.NumberFilter(field_name="notifier_id")
    received_after = django_filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="gte")
    received_before = django_filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="lt")
    open = django_filters.BooleanFilter(method="filter_open")
    q = django_filters.CharFilter(method="filter_q", label="Search target")

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
        # Prefix search: cases whose IP lies in the prefix (by text range for v4 /8../32 is not
        # reliable, so compare addresses in Python over the candidate set's IPs).
        ips = [ip for ip in queryset.exclude(ip=None).values_list("ip", flat=True).distinct()
               if ipaddress.ip_address(ip) in net]
        return queryset.filter(ip__in=ips)

    def filter_customer(self, queryset, name, value):
        q = Q(customer__reference=value) | Q(end_customer__reference=value)
        if value.isdigit():
            q |= Q(customer_id=int(value)) | Q(end_customer_id=int(value))
        return queryset.filter(q)

    def filter_open(self, queryset, name, value):
        return queryset.open() if value else queryset.exclude(pk__in=queryset.open())

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(target__icontains=value) | Q(customer__name__icontains=value))


class ReportFilterSet(django_filters.FilterSet):
    ip = django_filters.CharFilter()
    case = django_filters.NumberFilter(field_name="case_id")
    status = django_filters.CharFilter()
    category = django_filters.CharFilter()

    class Meta:
        model = Report
        fields = ["ip", "case", "status", "category"]
