"""The transparency report's JSON rendered as HTML, PDF (WeasyPrint) and CSV.

The JSON (transparency.build) is the source: these functions only lay it out,
in the language asked for, with the charts drawn as SVG on the server.
"""

import csv
import io
import json
import logging
from datetime import datetime

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from abusedesk.policy.pause import PAUSE_REASONS

from . import charts
from .labels import ACTION, CATEGORY, CLOSE, NOTIFIER_KIND, SOURCE, STEP, label

FORMATS = ("html", "pdf", "json", "csv")
LANGUAGES = ("en", "nl", "de")


def _pct(rate: dict) -> float | None:
    return None if rate["value"] is None else round(rate["value"] * 100, 1)


def _share(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def _rows(table: dict, names: dict | None = None) -> list[dict]:
    return [{"code": code, "name": label(names, code) if names else code, **row} for code, row in table.items()]


def _pairs(counts: dict, names: dict) -> list[tuple[str, int]]:
    return [(label(names, code), n) for code, n in counts.items()]


def _reason(code: str) -> str:
    """A TCO pause reason (policy.deadlines) or `closed_<close reason>`, in words."""
    if code.startswith("closed_"):
        return f"{_('closed')}: {label(CLOSE, code[len('closed_'):])}"
    return str(PAUSE_REASONS.get(code, code))


def context(report: dict) -> dict:
    """What the template needs besides the report: translated rows and the charts."""
    year = datetime.fromisoformat(report["period"]["start"]).year
    categories = _rows(report["by_category"], CATEGORY)
    entities = _rows(report["by_entity"])
    months = report["by_month"]
    rule = report["child_abuse_uptime_hours"]["rule_hours"]
    return {
        "r": report,
        "year": year,
        "generated": datetime.fromisoformat(report["generated_at"]),
        "compliance_pct": _pct(report["compliance_rate"]),
        "unmatched_pct": _share(report["reports"]["unmatched_share"]),
        "masked_pct": _share(report["reports"]["masked_share"]),
        "categories": [{**row, "compliance_pct": _pct(row["compliance_rate"])} for row in categories],
        "entities": [{**row, "compliance_pct": _pct(row["compliance_rate"])} for row in entities],
        "notices_by_channel": sorted(report["notices"]["by_channel"].items()),
        "notices_by_kind": _pairs(report["notices"]["by_notifier_kind"], NOTIFIER_KIND),
        "closed_by_reason": _pairs(report["cases"]["closed_by_reason"], CLOSE),
        "actions": _pairs(report["enforcement_actions"], ACTION),
        "offenders": _pairs(report["repeat_offenders"], STEP),
        "policy": [{"code": code, **p, "rows": [{"name": label(CATEGORY, c), **v} for c, v in p["categories"].items()]}
                   for code, p in report["policy"].items()],
        "dsa_notice_sources": _pairs(report["dsa_art15"]["notices"]["by_source"], SOURCE),
        "dsa_notice_categories": _pairs(report["dsa_art15"]["notices"]["by_category"], CATEGORY),
        "dsa_order_categories": _pairs(report["dsa_art15"]["orders_to_act"]["by_category"], CATEGORY),
        "dsa_own_categories": _pairs(report["dsa_art15"]["own_initiative"]["by_category"], CATEGORY),
        "le_by_entity": sorted(report["law_enforcement"]["by_entity"].items()),
        "member_states": [(_("unknown") if code == "unknown" else code, n)
                          for code, n in report["dsa_art15"]["orders_to_act"]["by_member_state"].items()],
        "tco_reasons": [(_reason(code), n) for code, n in report["tco_art7"]["deadline_paused_by_reason"].items()],
        "policy_entities": list(report["policy"]),
        "policy_rows": [{"name": label(CATEGORY, c),
                         "cells": [p["categories"][c] for p in report["policy"].values()]}
                        for c in next(iter(report["policy"].values()), {"categories": {}})["categories"]],
        "chart_cases_by_category": charts.bars([(r["name"], r["cases"]) for r in categories]),
        "chart_compliance_by_entity": charts.bars([(r["code"], _pct(r["compliance_rate"])) for r in entities], "%"),
        "chart_uptime_by_category": charts.bars(
            [(r["name"], r["uptime_hours"]["median"]) for r in categories], "h"),
        "chart_child_uptime": charts.bars(
            [(_("median"), report["child_abuse_uptime_hours"]["median"]),
             (_("90th percentile"), report["child_abuse_uptime_hours"]["p90"]),
             (_("mean"), report["child_abuse_uptime_hours"]["mean"])],
            "h", rule=rule, rule_label=_("rule: %(hours)s h") % {"hours": rule}),
        "chart_cases_by_month": charts.columns([(m["period"][5:7], m["cases"]) for m in months]),
        "chart_compliance_by_month": charts.columns(
            [(m["period"][5:7], _pct(m["compliance_rate"])) for m in months], "%"),
    }


def to_html(report: dict, language: str = "en") -> str:
    with translation.override(language):
        return render_to_string("reports/transparency.html", {**context(report), "language": language})


def to_pdf(report: dict, language: str = "en") -> bytes:
    # WeasyPrint and fontTools log every layout step at INFO: not for a command's output.
    for name in ("weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.ERROR)
    from weasyprint import HTML  # imported here: it loads pango, which only the PDF needs

    return HTML(string=to_html(report, language)).write_pdf()


def flatten(value, prefix: str = ""):
    """(path, value) for every leaf: by_category.phishing.uptime_hours.median → 1.5."""
    if isinstance(value, dict):
        if not value and prefix:
            yield prefix, ""
        for key, inner in value.items():
            yield from flatten(inner, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield from flatten(inner, f"{prefix}.{i}")
    else:
        yield prefix, "" if value is None else value


def to_csv(report: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["key", "value"])
    for path, value in flatten(report):
        writer.writerow([path, value])
    return out.getvalue()


def to_json(report: dict) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


def render(report: dict, fmt: str, language: str = "en") -> bytes:
    if fmt == "pdf":
        return to_pdf(report, language)
    if fmt == "html":
        return to_html(report, language).encode()
    if fmt == "csv":
        return to_csv(report).encode()
    return to_json(report).encode()
