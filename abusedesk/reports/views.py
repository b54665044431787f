"""Desk pages: the KPI dashboard and the transparency report's preview and download."""

from django.http import HttpResponse
from django.shortcuts import render

from abusedesk.desk.access import staff_required

from . import render as report_render
from . import transparency as report
from .forms import KpiFilterForm, TransparencyForm

CONTENT_TYPES = {"html": "text/html; charset=utf-8", "pdf": "application/pdf",
                 "json": "application/json", "csv": "text/csv; charset=utf-8"}
# The report is a standalone document with its own stylesheet and no script at all.
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"


@staff_required
def dashboard(request):
    form = KpiFilterForm(request.GET or None)
    return render(request, "reports/dashboard.html", {"form": form, "query": request.GET.urlencode()})


@staff_required
def transparency(request):
    form = TransparencyForm(request.GET if "year" in request.GET else None)
    if not form.is_valid():
        return render(request, "reports/transparency_form.html", {"form": form})
    entity = form.cleaned_data["entity"]
    year, fmt, language = form.cleaned_data["year"], form.cleaned_data["format"], form.cleaned_data["language"]
    try:
        scope = report.year_scope(year, [entity.code] if entity else [])
    except report.ReportError as exc:
        form.add_error(None, str(exc))
        return render(request, "reports/transparency_form.html", {"form": form})
    body = report_render.render(report.build(scope), fmt, language)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    name = f"transparency-{year}{'-' + entity.code if entity else ''}-{language}.{fmt}"
    if fmt == "html" and "download" not in request.GET:
        response["Content-Security-Policy"] = REPORT_CSP
    else:
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
