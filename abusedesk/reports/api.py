"""KPI endpoints for the dashboard (staff only): /api/v1/kpis/...

Every endpoint takes the same filters (entity, category, start, end) and answers JSON, or
CSV with `?format=csv`. The figures come from the roll-up (figures.py), brought up to date
first, which answers exactly what kpis, the one module of definitions, computes.
"""

import csv
import io
from datetime import UTC, date, datetime, timedelta

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAdminUser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from abusedesk.lib import clock
from abusedesk.network.models import Entity
from abusedesk.parsers.base import CATEGORIES

from . import figures, kpis, rollup
from .render import flatten

DEFAULT_DAYS = 90


class CSVRenderer(BaseRenderer):
    """A table (`rows`) as CSV with one column per leaf (nested keys joined by dots); anything else as key,value."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        out = io.StringIO()
        writer = csv.writer(out)
        if isinstance(data, dict) and isinstance(data.get("rows"), list):
            rows = [dict(flatten(row)) for row in data["rows"]]
            view = (renderer_context or {}).get("view")
            columns = list(dict.fromkeys(list(getattr(view, "columns", ())) + [k for row in rows for k in row]))
            writer.writerow(columns)
            for row in rows:
                writer.writerow([row.get(c, "") for c in columns])
        else:
            writer.writerow(["key", "value"])
            writer.writerows(flatten(data))
        return out.getvalue().encode()


def _day(request, name: str, default: date) -> date:
    value = request.query_params.get(name)
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError({name: f"not an ISO date (YYYY-MM-DD): {value[:40]!r}"}) from None


def _list(request, name: str) -> tuple[str, ...]:
    values = []
    for value in request.query_params.getlist(name):
        values.extend(v.strip() for v in value.split(",") if v.strip())
    return tuple(dict.fromkeys(values))


def scope_from(request) -> kpis.Scope:
    """The filters of a KPI request: entity and category (repeatable or comma-separated), start and
    end (dates, both included; default: the last 90 days)."""
    now = clock.now()
    end = _day(request, "end", now.date())
    start = _day(request, "start", end - timedelta(days=DEFAULT_DAYS - 1))
    if start > end:
        raise ValidationError({"start": "start is after end"})
    entities = _list(request, "entity")
    unknown = set(entities) - set(Entity.objects.filter(code__in=entities).values_list("code", flat=True))
    if unknown:
        raise ValidationError({"entity": f"unknown entity: {sorted(unknown)[0][:40]!r}"})
    categories = _list(request, "category")
    if set(categories) - set(CATEGORIES):
        raise ValidationError({"category": f"unknown category; one of {', '.join(CATEGORIES)}"})
    return kpis.Scope(datetime.combine(start, datetime.min.time(), UTC),
                      datetime.combine(end + timedelta(days=1), datetime.min.time(), UTC),
                      entities=entities, categories=categories, now=now)


FILTERS = [
    OpenApiParameter("entity", OpenApiTypes.STR, many=True, description="entity code(s)"),
    OpenApiParameter("category", OpenApiTypes.STR, many=True, description="category (categories)"),
    OpenApiParameter("start", OpenApiTypes.DATE, description="first day of receipt (default: 90 days ago)"),
    OpenApiParameter("end", OpenApiTypes.DATE, description="last day of receipt, included (default: today)"),
]


class KpiView(APIView):
    permission_classes = [IsAdminUser]
    renderer_classes = [JSONRenderer, CSVRenderer]

    def finalize_response(self, request, response, *args, **kwargs):
        # An error is JSON whatever format was asked for: a CSV of {"detail": ...} helps nobody,
        # and the schema documents errors as JSON.
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code >= 400:
            response.accepted_renderer, response.accepted_media_type = JSONRenderer(), "application/json"
        return response

    def get(self, request):
        scope = scope_from(request)
        rollup.refresh()
        body = {"period": {"start": scope.start.isoformat(), "end": scope.end.isoformat()}}
        body.update(self.figures(scope, request))
        return Response(body)


def _schema(summary: str, extra=()):
    return extend_schema(summary=summary, parameters=FILTERS + list(extra), responses={200: OpenApiTypes.OBJECT},
                         tags=["kpis"])


class SummaryView(KpiView):
    @_schema("Compliance rate, uptime, time to forward and case counts of the period")
    def get(self, request):
        return super().get(request)

    def figures(self, scope, request):
        return {
            "compliance_rate": kpis.one(figures.compliance(scope), kpis.rate(0, 0)),
            "uptime_hours": kpis.one(figures.uptime(scope), kpis.empty_distribution()),
            "time_to_forward_hours": kpis.one(figures.time_to_forward(scope), kpis.empty_distribution()),
            "cases": figures.case_counts(scope),
            "reports": figures.reports(scope),
            "takedown_verification": kpis.takedown_verification(scope),
        }


class BreakdownView(KpiView):
    key = ""

    def figures(self, scope, request):
        return {"rows": [{self.column: k, **v} for k, v in figures.breakdown(scope, self.key).items()]}


BREAKDOWN_COLUMNS = ["cases", "compliance_rate.value", "compliance_rate.decided", "compliance_rate.within",
                     "uptime_hours.n", "uptime_hours.median", "uptime_hours.p90", "uptime_hours.mean"]


class ByEntityView(BreakdownView):
    key, column = "entity__code", "entity"
    columns = ["entity"] + BREAKDOWN_COLUMNS

    @_schema("Cases, compliance rate and uptime per entity")
    def get(self, request):
        return super().get(request)


class ByCategoryView(BreakdownView):
    key, column = "category", "category"
    columns = ["category"] + BREAKDOWN_COLUMNS

    @_schema("Cases, compliance rate and uptime per category")
    def get(self, request):
        return super().get(request)


class TrendView(KpiView):
    columns = ["period", "cases"] + BREAKDOWN_COLUMNS[1:]

    @_schema("Cases, compliance rate and uptime per week or month of receipt",
             [OpenApiParameter("interval", OpenApiTypes.STR, enum=["week", "month"], description="default: week")])
    def get(self, request):
        return super().get(request)

    def figures(self, scope, request):
        interval = request.query_params.get("interval", "week")
        if interval not in kpis.INTERVALS:
            raise ValidationError({"interval": "week or month"})
        return {"interval": interval, "rows": figures.trend(scope, interval)}


class OpenView(KpiView):
    columns = ["entity", "open", "overdue"]

    @_schema("Open and overdue cases now, per entity (the period does not apply)")
    def get(self, request):
        return super().get(request)

    def figures(self, scope, request):
        return {"rows": [{"entity": k, **v} for k, v in figures.open_now(scope).items()]}


class TopNotifiersView(KpiView):
    columns = ["notifier", "kind", "cases"]

    @_schema("The notifiers with the most cases in the period")
    def get(self, request):
        return super().get(request)

    def figures(self, scope, request):
        return {"rows": figures.top_notifiers(scope)}


class TopCustomersView(KpiView):
    columns = ["customer", "name", "cases", "offender_step"]

    @_schema("The customers with the most cases in the period, with their repeat-offender step")
    def get(self, request):
        return super().get(request)

    def figures(self, scope, request):
        return {"rows": figures.top_customers(scope)}
