"""The pre-check of a request: six items, each with its evidence, and the validity they add up to.

Computed from the request's own fields (what the parser extracted or staff entered) and the
addressed entity's jurisdiction; staff confirm or override each item (services.confirm_check).
A failing item says whether the authority can mend it (clarify: the request is `incomplete`)
or not (reject: `not_enforceable`).
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from abusedesk.parsers.lawenforcement import CROSS_BORDER_INSTRUMENTS, EU_MEMBER_STATES

from .models import CONTENT_ORDERS, Check, RequestType, Validity

C, R = Check.Code, Check.Remedy
FREEMAIL_HINT = "free-mail"


def compute(request, identifiers, *, trusted_channel: bool = False, freemail: bool = False) -> list[dict]:
    """[{code, passed, evidence, remedy}] for `request` (unsaved fields are fine) and its identifiers."""
    return [
        _authority(request, trusted_channel, freemail),
        _legal_basis(request),
        _jurisdiction(request),
        _identifiers(request, identifiers),
        _timestamps(request, identifiers),
        _scope(request),
    ]


def _item(code, passed, evidence, remedy=R.CLARIFY):
    return {"code": code, "passed": passed, "evidence": evidence, "remedy": "" if passed else remedy}


def _authority(request, trusted_channel, freemail):
    if not request.authority:
        return _item(C.AUTHORITY, False, "no requesting authority named")
    if not request.contact_channel:
        return _item(C.AUTHORITY, False, f"{request.authority}: no contact channel to check the request back")
    if freemail or FREEMAIL_HINT in request.contact_channel:
        # Forged "emergency" requests come from free-mail accounts: never answer one unverified.
        return _item(C.AUTHORITY, False, f"{request.authority}: contact {request.contact_channel} is a free-mail "
                                         "address, not an authority's channel; verify by the authority's published "
                                         "number")
    how = "verified by staff" if request.contact_verified else (
        "sender proven by the channel (DKIM/SPF or API key)" if trusted_channel else "to be verified by call-back")
    return _item(C.AUTHORITY, True, f"{request.authority}; contact {request.contact_channel} ({how})")


def _legal_basis(request):
    if request.legal_basis.strip():
        return _item(C.LEGAL_BASIS, True, f"cites {request.legal_basis}")
    return _item(C.LEGAL_BASIS, False, "no provision of law cited")


def _jurisdiction(request):
    entity_country = (request.entity.jurisdiction or "").upper()
    country = (request.country or "").upper()
    instrument = request.instrument or "domestic"
    if not country:
        return _item(C.JURISDICTION, False, "the authority's country is not known")
    if country == entity_country:
        return _item(C.JURISDICTION, True, f"domestic authority ({country}) for an entity in {entity_country}")
    if country in EU_MEMBER_STATES and entity_country in EU_MEMBER_STATES and instrument in CROSS_BORDER_INSTRUMENTS:
        return _item(C.JURISDICTION, True, f"{country} authority with an instrument valid across EU borders "
                                           f"({instrument}) for an entity in {entity_country}")
    if country in EU_MEMBER_STATES and entity_country in EU_MEMBER_STATES:
        evidence = (f"{country} authority using a domestic instrument ({instrument}) against an entity in "
                    f"{entity_country}: not binding here; it needs a European Investigation Order or a European "
                    f"Production Order, or the route through the {entity_country} authorities")
    else:
        evidence = (f"{country} authority's own instrument ({instrument}) is not enforceable against an entity in "
                    f"{entity_country}: the mutual legal assistance (MLAT) route applies")
    if request.emergency:
        evidence += ("; an emergency: a voluntary disclosure to protect life is the legal team's own decision "
                     "(GDPR Art 6(1)(d))")
    return _item(C.JURISDICTION, False, evidence, R.REJECT)


def _identifiers(request, identifiers):
    if request.broad:
        return _item(C.IDENTIFIERS, False, f"asks for everything (\u201c{request.broad}\u201d), not for named "
                                           "addresses, URLs or accounts")
    if not identifiers:
        return _item(C.IDENTIFIERS, False, "no IP address, URL, domain or account named")
    kinds = sorted({i.kind for i in identifiers})
    return _item(C.IDENTIFIERS, True, f"{len(identifiers)} named ({', '.join(kinds)})")


def _timestamps(request, identifiers):
    ips = [i for i in identifiers if i.kind == "ip"]
    if request.type in CONTENT_ORDERS:
        return _item(C.TIMESTAMPS, True, "an order to act against content: no attribution at a past time needed")
    if not ips:
        return _item(C.TIMESTAMPS, True, "no IP address named")
    lacking = [i for i in ips if i.at is None]
    if lacking:
        parts = [f"{i.value}: {i.missing or 'date and time'} missing" + (f" (\u201c{i.written}\u201d)" if i.written
                                                                         else "") for i in lacking]
        return _item(C.TIMESTAMPS, False, "; ".join(parts))
    notes = [f"{i.value}: {i.note}" for i in ips if i.note]
    evidence = "; ".join(f"{i.value} at {i.at:%Y-%m-%d %H:%M:%S} UTC (written {i.written or i.at.isoformat()})"
                         for i in ips)
    return _item(C.TIMESTAMPS, True, evidence + ("; note: " + "; ".join(notes) if notes else ""))


def _scope(request):
    if request.type in CONTENT_ORDERS:
        return _item(C.SCOPE, True, "an order to act against content: the customer who hosts it must act (a case)")
    if "content" in (request.data_kinds or []) or request.type == RequestType.CONTENT:
        return _item(C.SCOPE, False, "asks for the content of a customer's server or communications, which the "
                                     "provider has no access to; only subscriber data and the provider's own logs "
                                     "can be given", R.REJECT)
    kinds = [k for k in (request.data_kinds or []) if k != "content"] or ["subscriber"]
    return _item(C.SCOPE, True, f"asks for {' and '.join(kinds)} data, which the provider holds")


def validity(checks) -> str:
    """valid, incomplete (the authority can mend it) or not_enforceable, from the checks' results."""
    failing = [c for c in checks if not c.result]
    if any((c.remedy or R.CLARIFY) == R.REJECT for c in failing):
        return Validity.NOT_ENFORCEABLE
    if failing:
        return Validity.INCOMPLETE
    return Validity.VALID


# --- replies in the authority's language ---------------------------------------------------

def _missing_line(check) -> str:
    return {
        C.AUTHORITY: _("the name of the requesting authority and an official contact channel we can verify"),
        C.LEGAL_BASIS: _("the provision of law on which the request is based"),
        C.JURISDICTION: _("an instrument that is binding on us in our jurisdiction"),
        C.IDENTIFIERS: _("the specific IP addresses, URLs or accounts concerned"),
        C.TIMESTAMPS: _("for every IP address the exact date and time of use, with the time zone"),
        C.SCOPE: _("a description of the data requested that is limited to subscriber data and logs"),
    }[check.code]


def clarification_text(request, checks) -> str:
    """The request for clarification, in the authority's language (en, nl, de; English otherwise)."""
    failing = [c for c in checks if not c.result]
    with translation.override(request.language if request.language in ("en", "nl", "de") else "en"):
        lines = [
            _("Your reference: %(reference)s") % {"reference": request.reference or "-"},
            "",
            _("We have received your request and cannot answer it yet. Please send us:"),
            *[f"- {_missing_line(c)}" for c in failing],
            "",
            _("Once we receive this information, we will process your request without delay."),
        ]
    return "\n".join(lines)


def rejection_text(request, reason: str) -> str:
    with translation.override(request.language if request.language in ("en", "nl", "de") else "en"):
        return "\n".join([
            _("Your reference: %(reference)s") % {"reference": request.reference or "-"},
            "",
            _("We cannot comply with your request."),
            _("Reason: %(reason)s") % {"reason": reason},
        ])
