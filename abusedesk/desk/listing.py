"""What every case list of the desk can do: sort by a column, count its results (capped, so that a
million cases never cost a full count), and come out as CSV."""

import csv

from django.http import StreamingHttpResponse

from abusedesk.cases.filtersets import newest_first

SORTS = {
    "received": ("received_at", "id"), "-received": ("-received_at", "-id"),
    "deadline": ("deadline", "id"), "-deadline": ("-deadline", "-id"),
    "state": ("state", "-id"), "category": ("category", "-id"),
    "customer": ("customer__reference", "-id"), "reports": ("-report_count", "-id"),
}
COUNT_CAP = 10_000
CSV_LIMIT = 100_000
CSV_COLUMNS = ["case", "customer", "end_customer", "category", "target", "ip", "state", "reports", "received_at",
               "deadline", "forwarded_at", "resolved_at", "owner"]


def ordered(queryset, params):
    sort = params.get("sort", "")
    return queryset.order_by(*SORTS[sort]) if sort in SORTS else newest_first(queryset, params)


def capped_count(queryset) -> tuple[int, bool]:
    """(count, True when there are more than COUNT_CAP)."""
    n = queryset.order_by()[:COUNT_CAP + 1].count()
    return min(n, COUNT_CAP), n > COUNT_CAP


class _Echo:
    def write(self, value):
        return value


def csv_response(queryset, filename: str) -> StreamingHttpResponse:
    """The list as CSV, streamed (at most CSV_LIMIT rows)."""
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow(CSV_COLUMNS)
        for c in queryset.select_related("customer", "end_customer", "owner")[:CSV_LIMIT].iterator(chunk_size=2000):
            yield writer.writerow([
                c.ref, c.customer.reference, c.end_customer.reference if c.end_customer_id else "", c.category,
                c.target, c.ip or "", c.state, c.report_count, _iso(c.received_at), _iso(c.deadline),
                _iso(c.forwarded_at), _iso(c.resolved_at), c.owner.username if c.owner_id else ""])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _iso(value) -> str:
    return value.isoformat() if value else ""
