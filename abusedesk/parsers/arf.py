"""ARF: the Abuse Reporting Format of feedback loops (RFC 5965), with
authentication-failure reports (RFC 6591) and redacted reports (RFC 6590).

A standard report is multipart/report; report-type=feedback-report with
three parts: a human-readable text, the machine-readable
message/feedback-report fields, and the original message (message/rfc822,
or only its headers as text/rfc822-headers).

Real senders deviate, and this parser accepts what they send: field names
in any case, the fields sent as text/plain, no Source-IP (then the source
is the hop that handed the original mail to the reporter, from the
original's Received: chain, never the report mail's own relays), and
Microsoft JMRP / Yahoo / AOL / Comcast style extra headers.

Who is the offender: Source-IP (or the derived origin hop) and the
Reported-Uri URLs. Never Original-Rcpt-To (the victim). Reported-Domain is
kept in meta only: for auth-failure reports it is the spoofed domain, and
in spam reports it is often a forged From domain, so resolving it would
accuse an innocent party.
"""

from __future__ import annotations

import re

from .base import Event, ParseContext, ParsedNotice
from .classify import classify
from .common import Events, is_own_server, origin_hop, sanitise, start_notice, url_event
from .extract import find_ips, ip_usable, parse_when, refang, registrable_domain, url_host
from .mime import Mail, Part, parse_mail
from .roles import context_url, stated_ips

FORMAT = "arf"

# Feedback-Type → category. fraud and other are refined from the content.
FEEDBACK_CATEGORY = {
    "abuse": "spam",
    "spam": "spam",  # not in RFC 5965's registry, but what many senders write
    "fraud": "fraud",
    "virus": "malware",
    "auth-failure": "spam",
    "opt-out": "spam",
    "not-spam": "other",
    "other": "other",
}

MAX_ORIGINAL = 1024 * 1024  # the original's headers and a little body are all we read
_FIELD_LINE = re.compile(r"^([A-Za-z][A-Za-z0-9\-]{0,63})[ \t]*:[ \t]*(.*)$")
_FEEDBACK_TYPE = re.compile(r"(?im)^feedback-type[ \t]*:[ \t]*[a-z]")
_PHISHING_WORDS = re.compile(
    r"phish|credential|verify your (?:account|identity)|password|log ?in to|sign ?in|account (?:suspended|locked)",
    re.IGNORECASE,
)
_MBOX_FROM = re.compile(r'^\s*"?From \S+@')
# SpamCop's report on a spamvertised site: "Spamvertised web site: <url>" and "<url> is <ip>".
_SPAMVERTISED = re.compile(r"(?im)^spamvertised web site:\s*(\S+)")
_HEADERS_START = re.compile(r"(?i)^(?:received|return-path|from|message-id|date|delivered-to|x-[\w-]+)\s*:")


def parse_fields(text: str) -> dict[str, list[str]]:
    """`Name: value` lines (with continuation lines) into lower-case names;
    repeated fields (Reported-Uri, Original-Rcpt-To) keep all values."""
    fields: dict[str, list[str]] = {}
    last = None
    for line in text.splitlines()[:2000]:
        if not line.strip():
            continue
        if line[0] in " \t" and last:
            fields[last][-1] = (fields[last][-1] + " " + line.strip())[:4096]
            continue
        m = _FIELD_LINE.match(line.strip())
        if not m:
            last = None
            continue
        last = m.group(1).lower()
        fields.setdefault(last, []).append(m.group(2).strip()[:4096])
    return fields


def _feedback_part(mail: Mail) -> Part | None:
    for part in mail.parts:
        if part.content_type == "message/feedback-report":
            return part
    # Deviating senders: the fields as a text part (or the whole body).
    for part in mail.parts:
        if part.message is None and part.content_type.startswith("text/") and _FEEDBACK_TYPE.search(
            part.text[:20000]
        ):
            return part
    return None


def looks_like(mail: Mail) -> bool:
    if mail.content_type == "multipart/report" and mail.params.get("report-type") == "feedback-report":
        return True
    return _feedback_part(mail) is not None


def _original(mail: Mail, feedback: Part, context: ParseContext) -> Mail | None:
    """The reported message: an attached message (or headers), else a text
    part after the fields that starts like a header block."""
    seen_feedback = False
    for part in mail.parts:
        if part is feedback:
            seen_feedback = True
            continue
        if part.message is not None:
            body = part.message.body_text[:MAX_ORIGINAL] if not part.message.headers else ""
            if _MBOX_FROM.match(body):
                # An mbox "From " line before the headers hides them from the mail parser.
                return parse_mail(body.split("\n", 1)[-1].encode("utf-8", "replace"), context)
            return part.message
        if seen_feedback and part.content_type.startswith("text/") and _HEADERS_START.match(part.text[:200]):
            return parse_mail(part.payload[:MAX_ORIGINAL], context)
    # Fields and original in one text part (forwarded by a person): the
    # header block after the fields.
    text = feedback.text
    m = re.search(r"(?im)^(?:received|return-path)\s*:", text)
    if m and feedback.content_type != "message/feedback-report":
        return parse_mail(text[m.start():][:MAX_ORIGINAL].encode("utf-8", "replace"), context)
    return None


def _human_text(mail: Mail, feedback: Part) -> str:
    for part in mail.parts:
        if part is not feedback and part.message is None and part.content_type.startswith("text/"):
            if not part.filename:
                return part.text[:20000]
    return ""


def _category(feedback_type: str, original: Mail | None, human: str, reported_uris: list[str]) -> tuple[str, float]:
    category = FEEDBACK_CATEGORY.get(feedback_type, "other")
    sample = human + "\n" + (original.subject if original else "")
    if original is not None:
        sample += "\n" + original.body_text[:20000]
    if feedback_type == "fraud":
        return ("phishing" if _PHISHING_WORDS.search(sample) else "fraud"), 1.0
    if feedback_type not in FEEDBACK_CATEGORY or feedback_type == "other":
        # The free-text classifier decides "other".
        guess, confidence = classify(sample)
        if guess:
            return guess, confidence
        return "other", 0.3
    return category, 1.0


def _source_ip(value: str) -> str | None:
    found = find_ips(refang(value))
    return found[0].ip if found else None


def parse(mail: Mail, context: ParseContext) -> ParsedNotice:
    notice = start_notice(FORMAT, mail)
    notice.notifier.no_reply = True  # feedback loops are machines; nobody reads replies
    feedback = _feedback_part(mail)
    if feedback is None:
        notice.kind = "unparseable"
        notice.errors.append("multipart/report without a feedback-report part")
        return notice
    fields = parse_fields(feedback.text)
    feedback_type = (fields.get("feedback-type") or ["other"])[0].strip().lower().split()[0][:32] or "other"
    original = _original(mail, feedback, context)
    human = _human_text(mail, feedback)
    uris = [refang(u.strip().strip("<>")) for u in fields.get("reported-uri", [])]
    uris = [u for u in uris if re.match(r"(?i)^(?:https?|ftp)://", u) and not context_url(url_host(u) or "", "")]

    notice.category, notice.confidence = _category(feedback_type, original, human, uris)
    observed_at = None
    for name in ("arrival-date", "received-date"):
        if fields.get(name):
            observed_at = parse_when(fields[name][0])
            if observed_at:
                break

    # The offender: Source-IP, unless missing, unusable or our own relay.
    source_ip, source_from = None, None
    if fields.get("source-ip"):
        candidate = _source_ip(fields["source-ip"][0])
        if candidate and ip_usable(candidate) and not is_own_server(candidate, None, context):
            source_ip, source_from = candidate, "Source-IP"
    if source_ip is None and original is not None:
        reporter_domains = set()
        _, sender = mail.from_address
        if "@" in sender:
            reporter_domains.add(registrable_domain(sender.rsplit("@", 1)[1]))
        for mta in fields.get("reporting-mta", []):
            host = mta.split(";")[-1].strip()
            if "." in host:
                reporter_domains.add(registrable_domain(host))
        hop = origin_hop(original.header_all("received"), context, reporter_domains)
        if hop is not None:
            source_ip, source_from = hop.from_ip, "Received"
            observed_at = observed_at or hop.when

    site_ip = None
    spamvertised = _SPAMVERTISED.search(human)
    if spamvertised:
        # SpamCop sends its report on a spamvertised site to the site's host and names the
        # address it found for it; the mail's sender is reported to its own network apart.
        stated = re.search(re.escape(spamvertised.group(1)) + r" is ([0-9a-fA-F:.]{3,60})", human)
        site_ip = _source_ip(stated.group(1)) if stated else None
        if site_ip:
            source_ip, source_from = None, None
    if source_ip is None and not uris and not site_ip:
        # No Source-IP, no usable Received hop: a person's forward in ARF form names the
        # offender in its text ("Server involved in fraud at 198.51.100.7").
        stated = stated_ips(human) or stated_ips(refang(mail.subject))
        if stated:
            source_ip, source_from = stated[0], "text"

    original_subject = original.subject if original is not None else ""
    evidence = sanitise(
        f"Feedback-Type: {feedback_type}"
        + (f"; Source-IP: {source_ip}" if source_ip else "")
        + (f"; Subject: {original_subject}" if original_subject else ""),
        500,
    )
    events = Events(notice, context)
    if source_ip:
        events.add(Event(category=notice.category, ip=source_ip, observed_at=observed_at, evidence=evidence,
                         extra={"source": source_from}))
    for uri in uris:
        event = url_event(uri, notice.category, observed_at=observed_at, evidence=evidence,
                          extra={"source": "Reported-Uri"})
        if site_ip and uri == spamvertised.group(1) and not event.ip:
            event.ip = site_ip  # where the site was when SpamCop looked
        events.add(event)

    rcpts = fields.get("original-rcpt-to", [])
    notice.meta = {
        "feedback_type": feedback_type,
        "user_agent": sanitise((fields.get("user-agent") or [""])[0], 200),
        "version": sanitise((fields.get("version") or [""])[0], 20),
        "source_ip_from": source_from,
        "original_mail_from": sanitise((fields.get("original-mail-from") or [""])[0].strip("<>"), 254),
        "original_subject": sanitise(original_subject, 300),
        "original_message_id": sanitise(original.header("message-id"), 300) if original is not None else "",
        # The victims' addresses are personal data and never an event: count only.
        "original_rcpt_to_count": len(rcpts),
        "redacted": any("redacted" in r.lower() or "*" in r for r in rcpts),
        "reported_domains": [sanitise(d, 253) for d in fields.get("reported-domain", [])][:20],
        "reporting_mta": sanitise((fields.get("reporting-mta") or [""])[0], 200),
    }
    incidents = (fields.get("incidents") or [""])[0].strip()
    if incidents.isdigit():
        notice.meta["incidents"] = min(int(incidents), 10**9)
    if feedback_type == "auth-failure":
        notice.meta["auth_failure"] = sanitise((fields.get("auth-failure") or [""])[0], 100)
        notice.meta["authentication_results"] = sanitise((fields.get("authentication-results") or [""])[0], 500)
    if feedback_type == "not-spam":
        notice.errors.append("feedback type not-spam: the recipient says this mail is wanted, not a complaint")
    if not source_ip and not uris:
        notice.errors.append("feedback report without Source-IP, and no usable Received: hop in the original")
    return events.finish()
