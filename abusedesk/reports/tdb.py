"""Statements of reasons in the field structure of the EU DSA Transparency Database (DSA Art 24(5)).

Our categories, measures and sources are mapped to the database's codes here, and only
here; the statement itself (enforcement.models.StatementOfReasons) keeps our own terms.
"""

import json

from abusedesk.enforcement.models import Action, StatementOfReasons

# Our categories → (category, keywords). A hosting provider's network abuse (malware,
# botnets, scanning, spam) is no content category of the database: it is "scope of
# platform service", goods or services our terms do not permit.
CATEGORY = {
    "csam": ("STATEMENT_CATEGORY_PROTECTION_OF_MINORS", ["KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL"]),
    "terrorism": ("STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY", ["KEYWORD_TERRORIST_CONTENT"]),
    "phishing": ("STATEMENT_CATEGORY_SCAMS_AND_FRAUD", ["KEYWORD_PHISHING"]),
    "fraud": ("STATEMENT_CATEGORY_SCAMS_AND_FRAUD", []),
    "copyright": ("STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS", ["KEYWORD_COPYRIGHT_INFRINGEMENT"]),
}
NETWORK_ABUSE = ("STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE", ["KEYWORD_GOODS_SERVICES_NOT_PERMITTED"])

SOURCE = {
    StatementOfReasons.Source.NOTICE: "SOURCE_ARTICLE_16",
    StatementOfReasons.Source.HOTLINE: "SOURCE_ARTICLE_16",
    StatementOfReasons.Source.TRUSTED_FLAGGER: "SOURCE_TRUSTED_FLAGGER",
    StatementOfReasons.Source.FEED: "SOURCE_TYPE_OTHER_NOTIFICATION",
    StatementOfReasons.Source.AUTHORITY_ORDER: "SOURCE_TYPE_OTHER_NOTIFICATION",
    StatementOfReasons.Source.OWN_INITIATIVE: "SOURCE_VOLUNTARY",
}

K = Action.Kind
# measure → (visibility, provision, account): a null route or a suspended server disables access
# to what it hosts and suspends part of the service; an account suspension or termination is total.
MEASURE = {
    K.NULL_ROUTE: (["DECISION_VISIBILITY_CONTENT_DISABLED"], "DECISION_PROVISION_PARTIAL_SUSPENSION", None),
    K.SUSPEND_SERVICE: (["DECISION_VISIBILITY_CONTENT_DISABLED"], "DECISION_PROVISION_PARTIAL_SUSPENSION", None),
    K.SUSPEND_ACCOUNT: ([], "DECISION_PROVISION_TOTAL_SUSPENSION", "DECISION_ACCOUNT_SUSPENDED"),
    K.TERMINATE: ([], "DECISION_PROVISION_TOTAL_TERMINATION", "DECISION_ACCOUNT_TERMINATED"),
}


def _date(value):
    return value.date().isoformat() if value else None


def entry(statement: StatementOfReasons) -> dict:
    case = statement.case
    category, keywords = CATEGORY.get(case.category, NETWORK_ABUSE)
    visibility, provision, account = MEASURE.get(statement.measure, ([], None, None))
    illegal = statement.ground == StatementOfReasons.Ground.ILLEGAL
    end = _date(statement.end_date)
    row = {
        "puid": f"{case.ref}-{statement.action_id}",
        "decision_visibility": visibility,
        "decision_monetary": None,
        "decision_provision": provision,
        "decision_account": account,
        "account_type": "ACCOUNT_TYPE_BUSINESS",
        "decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT" if illegal else "DECISION_GROUND_INCOMPATIBLE_CONTENT",
        "decision_ground_reference_url": case.entity.terms_url or None,
        "category": category,
        "category_specification": keywords,
        "content_type": ["CONTENT_TYPE_OTHER"],
        "content_type_other": "hosted server or service",
        "content_date": _date(case.first_seen),
        "application_date": _date(statement.created_at),
        "end_date_visibility_restriction": end if visibility else None,
        "end_date_service_restriction": end if provision else None,
        "end_date_account_restriction": end if account else None,
        "end_date_monetary_restriction": None,
        "territorial_scope": list(statement.territorial_scope),
        "decision_facts": statement.facts,
        "source_type": SOURCE.get(statement.source, "SOURCE_VOLUNTARY"),
        "automated_detection": "Yes" if statement.automated_detection else "No",
        "automated_decision": ("AUTOMATED_DECISION_FULLY" if statement.automated_decision
                               else "AUTOMATED_DECISION_NOT_AUTOMATED"),
    }
    if illegal:
        row["illegal_content_legal_ground"] = statement.ground_text
        row["illegal_content_explanation"] = statement.facts
    else:
        row["incompatible_content_ground"] = statement.ground_text
        row["incompatible_content_explanation"] = statement.facts
        row["incompatible_content_illegal"] = "No"
    return row


def export(since) -> list[dict]:
    qs = (StatementOfReasons.objects.filter(created_at__gte=since).select_related("case__entity")
          .order_by("created_at", "pk"))
    return [entry(s) for s in qs.iterator(chunk_size=2000)]


def export_json(since) -> str:
    return json.dumps({"statements": export(since)}, indent=2, ensure_ascii=False) + "\n"
