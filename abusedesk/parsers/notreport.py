"""Mail that reaches the abuse address but is not an abuse report at all:
delivery reports (bounces), out-of-office and other automatic replies,
ticket-system acknowledgements, newsletters, and replies about one of our
own cases sent to the abuse address (their subject carries our case
reference, "Re: [AD-000123] ...").

Such mail gets `kind="not_report"` and no events: it must never open a case,
and it must never be answered automatically (an auto-reply to an auto-reply
is how two ticket systems flood each other, RFC 3834 section 2). The
`Auto-Submitted: auto-replied` header alone does not decide: CERTs' ticket
systems put it on their reports too. Intake
stores it and shows it in its own staff queue.

Only the mail's own headers, subject and own words decide, never a quoted or
attached message (an abuse report may well forward an out-of-office reply or
a bounce as its evidence), and a mail in a machine report format (ARF,
X-ARF, Shadowserver) is read as that format before this module is asked.
The body's own words (the text before the first quoted line) count only
together with a header: an automatic mail (Auto-Submitted, Exchange's
X-Auto-Response-Suppress, Precedence: auto_reply) that says it is an
automatic reply, a ticket receipt or a held-mail challenge, or a reply
(Re:) that closes a ticket; and only when those own words name no address
(a report that thanks for a reply and names a host again is a report).
"""

from __future__ import annotations

import re

from .base import CASE_REF, KIND_NOT_REPORT, ParseContext, ParsedNotice
from .common import start_notice
from .extract import find_ips
from .mime import Mail

FORMAT = "not_report"

BOUNCE = "delivery report (bounce)"
AUTO_REPLY = "automatic reply (out of office or similar)"
ACKNOWLEDGEMENT = "acknowledgement from a ticket system"
NEWSLETTER = "newsletter or marketing mail"
CASE_REPLY = "reply about one of our cases"

_BOUNCE_SUBJECT = re.compile(
    r"(?i)^(?:(?:fw|fwd|aw|re)\s*:\s*)?(?:undeliver(?:ed|able)|delivery status notification|"
    r"mail delivery (?:failed|failure|system)|returned mail|failure notice|delivery (?:has )?failed|"
    r"your message (?:couldn't|could not|wasn't|was not) (?:be )?delivered|"
    r"successful mail delivery report|unzustellbar|onbestelbaar|non remis|nicht zustellbar)"
)
_BOUNCE_SENDER = re.compile(r"(?i)^(?:mailer-daemon|postmaster)@")
_AUTO_REPLY_SUBJECT = re.compile(
    r"(?i)^(?:automatic reply|auto(?:matic|matische?)?[- ]?(?:reply|response|antwort|antwoord)|out of (?:the )?office|"
    r"abwesenheitsnotiz|abwesend|afwezig|r[ée]ponse automatique|respuesta autom[áa]tica|"
    r"i am (?:currently )?out of|on vacation)\b"
)
_ACK_SUBJECT = re.compile(
    r"(?i)(?:\bticket (?:received|created|opened)\b|\bwe(?: have|'ve) received your\b|"
    r"\byour (?:request|ticket|message|report|takedown request)\b.{0,80}\b(?:has been|was) "
    r"(?:received|created|logged|opened|rejected|accepted|processed)|"
    r"\brate the support\b|\bmailbox is (?:currently )?not monitored\b|\bthank you for (?:contacting|your (?:report|email))\b)"
)
# An automatic mail's own words: a receipt, an absence, a challenge to prove a person sent it.
_AUTO_BODY = re.compile(
    r"(?i)\b(?:(?:your|the) (?:request|message|e-?mail|ticket|report) (?:has been|was|is being) (?:received|"
    r"created|logged|held|forwarded)|a (?:new )?ticket (?:has been|was) (?:created|opened)|"
    r"thank you for contacting us|(?:i am|i'm) (?:currently )?(?:out of (?:the )?office|away|on (?:leave|holiday|vacation))|"
    r"out of (?:the )?office until|not (?:yet )?on the recipient's (?:approved|allowed) list|confirm you are a (?:person|human)|"
    r"(?:ik ben|wij zijn) (?:afwezig|niet aanwezig)|nicht im b[üu]ro|bin (?:bis|vom) .{0,30} abwesend)"
)
# A reply's own words that close the matter.
_CLOSING_BODY = re.compile(
    r"(?i)\b(?:(?:have |has )?closed (?:the |this |our |your )?(?:ticket|case|incident)|(?:ticket|case|incident) "
    r"(?:#?\S+ )?(?:has been |is |was )?(?:closed|resolved)|no further action (?:is )?(?:needed|required)|"
    r"ticket (?:is )?gesloten|geen verdere actie|vorgang (?:ist )?geschlossen|keine weiteren ma[ßs]nahmen)"
)
_REPLY_SUBJECT = re.compile(r"(?i)^(?:re|aw|antw|sv|vs|r)\s*:")
# Where a reply's own words end: a quoted line, "On ... wrote:", an Outlook separator,
# a ticket system's "Your message:" or "Subject of your message:".
_QUOTE_START = re.compile(
    r"(?im)^(?:[ \t]*>|.{0,120}\b(?:wrote|schrieb|schreef|a écrit)\s*:\s*$|[ \t]*-{2,}\s*original(?:e)? (?:message|nachricht|bericht)"
    r"|[ \t]*(?:(?:the )?subject of )?(?:your|ihre|uw) (?:original )?(?:message|nachricht|bericht|e-?mail)\s*:)"
)
_NEWSLETTER_SUBJECT = re.compile(r"(?i)\b(?:newsletter|nieuwsbrief|rundbrief|weekly|monthly|digest|bulletin)\b")
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
    if _REPLY_SUBJECT.match(subject) and CASE_REF.search(subject):
        # A reply to a mail of one of our cases (the customer's answer, the notifier's
        # thanks), sent to the abuse address instead of the case's reply address: it quotes
        # our forward, so read as a notice it would open a case against the customer again,
        # and each forward would bring the next reply.
        return CASE_REPLY
    automatic = automatic or bool(mail.header("x-auto-response-suppress")) or mail.header(
        "precedence").strip().lower() == "auto_reply"
    if automatic or _REPLY_SUBJECT.match(subject):
        said = _own_words(mail)
        if said is not None:
            if automatic and _AUTO_BODY.search(said):
                return AUTO_REPLY if re.search(r"(?i)office|away|afwezig|abwesend|b[üu]ro|leave|holiday|vacation", said) \
                    else ACKNOWLEDGEMENT
            if _REPLY_SUBJECT.match(subject) and _CLOSING_BODY.search(said):
                return ACKNOWLEDGEMENT
    # A newsletter sent to a spam trap is spam to report; sent to the abuse
    # address itself it is just a newsletter.
    # A newsletter about abuse names abuse in its subject: it counts when it calls itself one.
    declared = bool(mail.header("list-id")) and _NEWSLETTER_SUBJECT.search(subject)
    if (mail.header("list-unsubscribe") and _NEWSLETTER_SENDER.match(sender)
            and (declared or not _REPORT_WORDS.search(subject)) and _TO_ABUSE.search(mail.header("to") + " " + mail.header("delivered-to"))):
        return NEWSLETTER
    return None


def _own_words(mail: Mail) -> str | None:
    """The body's text before the first quoted part, or None when it names an
    address (then it may be a report, whatever else it says)."""
    body = mail.body_text[:20_000]
    quote = _QUOTE_START.search(body)
    said = body[:quote.start()] if quote else body
    return None if find_ips(said, keep_private=False) else said


def looks_like(mail: Mail) -> bool:
    return reason(mail) is not None


def parse(mail: Mail, context: ParseContext) -> ParsedNotice:
    notice = start_notice(FORMAT, mail, kind=KIND_NOT_REPORT)
    notice.meta["not_report"] = reason(mail) or ""
    notice.notifier.no_reply = True  # never answer an automatic mail
    return notice
