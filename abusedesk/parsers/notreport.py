"""Mail that reaches the abuse address but is not an abuse report at all:
delivery reports (bounces), out-of-office and other automatic replies,
ticket-system acknowledgements, and newsletters.

Such mail gets `kind="not_report"` and no events: it must never open a case,
and it must never be answered automatically (an auto-reply to an auto-reply
is how two ticket systems flood each other, RFC 3834 section 2). The
`Auto-Submitted: auto-replied` header alone does not decide: CERTs' ticket
systems put it on their reports too. Intake
stores it and shows it in its own staff queue.

Only the mail's own headers and subject decide, never a quoted or attached
message (an abuse report may well forward an out-of-office reply or a
bounce as its evidence), and a mail in a machine report format (ARF,
X-ARF, Shadowserver) is read as that format before this module is asked.
"""

from __future__ import annotations

import re

from .base import KIND_NOT_REPORT, ParseContext, ParsedNotice
from .common import start_notice
from .mime import Mail

FORMAT = "not_report"

BOUNCE = "delivery report (bounce)"
AUTO_REPLY = "automatic reply (out of office or similar)"
ACKNOWLEDGEMENT = "acknowledgement from a ticket system"
NEWSLETTER = "newsletter or marketing mail"

_BOUNCE_SUBJECT = re.compile(
    r"(?i)^(?:(?:fw|fwd|aw|re)\s*:\s*)?(?:undeliver(?:ed|able)|delivery status notification|"
    r"mail delivery (?:failed|failure|system)|returned mail|failure notice|delivery (?:has )?failed|"
    r"your message (?:couldn't|could not|wasn't|was not) (?:be )?delivered|"
    r"successful mail delivery report|unzustellbar|onbestelbaar|non remis|nicht zustellbar)"
)
_BOUNCE_SENDER = re.compile(r"(?i)^(?:mailer-daemon|postmaster)@")
_AUTO_REPLY_SUBJECT = re.compile(
    r"(?i)^(?:automatic reply|auto(?:matische)?[- ]?(?:reply|response|antwort|antwoord)|out of (?:the )?office|"
    r"abwesenheitsnotiz|abwesend|afwezig|r[ée]ponse automatique|respuesta autom[áa]tica|"
    r"i am (?:currently )?out of|on vacation)\b"
)
_ACK_SUBJECT = re.compile(
    r"(?i)(?:\bticket (?:received|created|opened)\b|\bwe(?: have|'ve) received your\b|"
    r"\byour (?:request|ticket|message|report|takedown request)\b.{0,80}\b(?:has been|was) "
    r"(?:received|created|logged|opened|rejected|accepted|processed)|"
    r"\brate the support\b|\bmailbox is (?:currently )?not monitored\b|\bthank you for (?:contacting|your (?:report|email))\b)"
)
_NEWSLETTER_SENDER = re.compile(r"(?i)^(?:newsletters?|news|marketing|info|promo(?:tions?)?|offers?|deals)@")
_TO_ABUSE = re.compile(r"(?i)\babuse@")
_REPORT_WORDS = re.compile(
    r"(?i)\b(?:abuse|phish\w*|spam\w*|malware|botnet|ddos|scan\w*|attack\w*|infring\w*|copyright|dmca|"
    r"complaint|incident|compromis\w*|fraud|notice|report|brute\w*|exploit\w*|vulnerab\w*|malicious|"
    r"hack\w*|shell|intrusion|illegal|unauthori[sz]ed)\b"
)


def reason(mail: Mail) -> str | None:
    """Why this mail is not a report, or None if it may be one."""
    subject = mail.subject.strip()
    content_type = mail.header("content-type").lower()
    _, sender = mail.from_address
    # RFC 3464: a multipart/report of type delivery-status (spam sometimes
    # puts the parameter on other types to slip past filters).
    if content_type.startswith("multipart/report") and "report-type=delivery-status" in content_type.replace(
            '"', "").replace(" ", ""):
        return BOUNCE
    auto = mail.header("auto-submitted").strip().lower()
    automatic = bool(auto) and not auto.startswith("no")
    if _BOUNCE_SUBJECT.match(subject) and (_BOUNCE_SENDER.match(sender) or automatic
                                           or "multipart/report" in content_type):
        return BOUNCE
    if _AUTO_REPLY_SUBJECT.match(subject):
        return AUTO_REPLY
    if _ACK_SUBJECT.search(subject):
        return ACKNOWLEDGEMENT
    # A newsletter sent to a spam trap is spam to report; sent to the abuse
    # address itself it is just a newsletter.
    if (mail.header("list-unsubscribe") and _NEWSLETTER_SENDER.match(sender) and not _REPORT_WORDS.search(subject)
            and _TO_ABUSE.search(mail.header("to") + " " + mail.header("delivered-to"))):
        return NEWSLETTER
    return None


def looks_like(mail: Mail) -> bool:
    return reason(mail) is not None


def parse(mail: Mail, context: ParseContext) -> ParsedNotice:
    notice = start_notice(FORMAT, mail, kind=KIND_NOT_REPORT)
    notice.meta["not_report"] = reason(mail) or ""
    notice.notifier.no_reply = True  # never answer an automatic mail
    return notice
