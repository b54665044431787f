"""Turn a parsed event into a Report row."""

import hashlib

from abusedesk.cases.models import Report


def fingerprint(notifier_id, category, ip, url, port, observed_at, source_ref) -> str:
    """Same notifier, same target, same time, same reference: the same report."""
    key = "|".join(str(x or "") for x in (notifier_id, category, ip, url, port,
                                          observed_at.isoformat() if observed_at else "", source_ref))
    return hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()


def report_from_event(raw, notice, index: int, event) -> Report:
    evidence = event.evidence or ""
    if notice.sensitive:
        # Child abuse: URL and reference only, never content.
        evidence = " ".join(x for x in (event.url or "", notice.notifier.reference) if x)
    observed_at = event.observed_at
    if observed_at is None:
        # Without its own time, an event is matched at the time the notice arrived;
        # its fingerprint then includes which notice it came from.
        source = event.source_ref or raw.sha256
    else:
        source = event.source_ref or ""
    return Report(
        raw_message=raw,
        event_index=index,
        notifier=raw.notifier,
        category=event.category or notice.category or "other",
        ip=event.ip or None,
        url=(event.url or "")[:8000],
        domain=(event.domain or "")[:255],
        port=event.port,
        observed_at=observed_at,
        received_at=raw.received_at,
        evidence=evidence[:4000],
        source_ref=(event.source_ref or notice.notifier.reference or "")[:200],
        fingerprint=fingerprint(raw.notifier_id, event.category, event.ip, event.url, event.port,
                                observed_at, source),
        status=Report.Status.UNMATCHED,
    )
