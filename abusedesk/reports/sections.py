"""The transparency report's sections that other apps own: law enforcement and KYC.

Each app provides `abusedesk.<app>.figures.transparency_section(start, end, entity_codes) -> dict`.
This is the one place that calls them. While an app is not installed its section is the
documented zero structure (docs/reports.md), so the report's keys never change shape.
"""

from importlib import import_module

from django.apps import apps

LAW_ENFORCEMENT_ZERO = {"received": 0, "accepted": 0, "rejected": 0, "rejected_by_reason": {}}
KYC_ZERO = {"orders_screened": 0, "orders_approved": 0, "orders_rejected": 0, "rejected_by_reason": {},
            "customers_rereviewed": 0, "terminations": 0}


def _section(app: str, zero: dict, start, end, entity_codes) -> dict:
    if not apps.is_installed(f"abusedesk.{app}"):
        return {**zero, "rejected_by_reason": {}}
    figures = import_module(f"abusedesk.{app}.figures")
    return figures.transparency_section(start, end, list(entity_codes))


def law_enforcement(start, end, entity_codes) -> dict:
    """Requests from authorities: received, accepted, rejected (and why), per the legal register."""
    return _section("lawenforcement", LAW_ENFORCEMENT_ZERO, start, end, entity_codes)


def kyc(start, end, entity_codes) -> dict:
    """Orders screened, approved, rejected (and why), customers re-reviewed, terminations."""
    return _section("kyc", KYC_ZERO, start, end, entity_codes)
