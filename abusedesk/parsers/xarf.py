"""X-ARF: the eXtended Abuse Reporting Format, in the three shapes seen in
the wild:

- X-ARF 0.2 mail: header `X-XARF: PLAIN`, a human-readable text part, a
  YAML report part (`text/plain; name=report.txt`, Schema-URL, Report-Type,
  Source, Source-Type, Port, Date, ...) and an optional evidence part. The
  report is read as flat `Key: value` lines, never with a YAML loader: the
  fields are flat, and a loader would give attackers anchors and aliases;
- the JSON of abusix's "v3/v4" generation: {"Version", "ReporterInfo",
  "Report": {"ReportClass", "ReportType", "SourceIp"/"Source", "SourcePort",
  "Date", ...}};
- the JSON of the xarf-spec v4 schemas: {"xarf_version", "category",
  "type", "source_identifier", "source_port", "timestamp", "reporter", ...}.

JSON reports arrive bare (a .json file) or in a mail (attachment or body).
The offender is the Source; Destination (X-ARF 0.2) is the victim.
"""

from __future__ import annotations

import json
import re

from .arf import parse_fields
from .base import Event, NotifierInfo, ParseContext, ParsedNotice
from .beside import pair_hosting
from .classify import classify
from .common import Events, not_offender_before, sanitise, start_notice, url_event
from .extract import find_ips, ip_usable, normalise_ip, parse_when, refang, url_host
from .labels import category_of
from .mime import Mail, Part
from .roles import context_mask
from .times import row_time

FORMAT = "xarf"
MAX_JSON = 5 * 1024 * 1024

def _is_json_report(obj) -> bool:
    if isinstance(obj, list):
        return bool(obj) and all(isinstance(o, dict) for o in obj[:10]) and _is_json_report(obj[0])
    if not isinstance(obj, dict):
        return False
    return "xarf_version" in obj or ("Report" in obj and isinstance(obj["Report"], dict)) or (
        "category" in obj and "type" in obj and "source_identifier" in obj
    )


# Some senders' generators write an unknown value as a bare `n/a` ("SourcePort": n/a),
# which is no JSON; read as null.
# Strings are matched first so that an "n/a" inside one is left as it is.
_BARE_NA = re.compile(r'"(?:[^"\\\n]|\\.){0,100000}"|(:[ \t]*)n/a(?=[ \t]*[,}\]\r\n])')


def load_json(text: str):
    """The JSON value, or None if it is not JSON (or absurdly nested)."""
    text = text.strip().lstrip("\ufeff")
    if not text or text[0] not in "[{" or len(text) > MAX_JSON:
        return None
    for attempt in (text, None):
        if attempt is None:
            attempt = _BARE_NA.sub(lambda m: m.group(1) + "null" if m.group(1) is not None else m.group(0), text)
            if attempt == text:
                return None
        try:
            return json.loads(attempt)
        except (ValueError, RecursionError):
            continue
    return None


def _yaml_part(mail: Mail) -> Part | None:
    for part in mail.parts:
        if part.message is not None or not part.is_text:
            continue
        name = (part.filename or part.params.get("name") or "").lower()
        head = part.text[:4000]
        if name == "report.txt" or (re.search(r"(?im)^schema-url\s*:", head) and
                                    re.search(r"(?im)^report-type\s*:", head)):
            return part
    return None


def _json_part(mail: Mail):
    for part in mail.parts:
        # Senders label the xarf.json attachment with any type (even multipart/report).
        if part.message is not None or not (part.is_text or (part.filename or "").lower().endswith(".json")):
            continue
        if part.content_type == "application/json" or (part.filename or "").lower().endswith(".json") or \
                part.raw_text.lstrip()[:1] in ("{", "["):
            obj = load_json(part.raw_text)
            if obj is not None and _is_json_report(obj):
                return obj
    return None


def looks_like(mail: Mail) -> bool:
    if mail.header("x-xarf") or mail.header("x-arf"):
        return True
    return _yaml_part(mail) is not None or _json_part(mail) is not None


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        value = value[1:-1]
    return value


def _add_source(events: Events, category: str, source: str, source_type: str, port, when, evidence: str,
                ref: str | None = None) -> None:
    source = refang(_unquote(str(source or "")))[:2048]
    if not source:
        return
    port_num = None
    try:
        port_num = int(str(port).strip()) if port not in (None, "") else None
        if port_num is not None and not 0 < port_num < 65536:
            port_num = None
    except ValueError:
        port_num = None
    stype = (source_type or "").lower()
    if "uri" in stype or "url" in stype or re.match(r"(?i)^(?:https?|ftp)://", source):
        events.add(url_event(source, category, port=port_num, observed_at=when, evidence=evidence, source_ref=ref))
        return
    ips = find_ips(source)
    if ips:
        events.add(Event(category=category, ip=ips[0].ip, port=port_num or ips[0].port, observed_at=when,
                         evidence=evidence, source_ref=ref))
    elif re.fullmatch(r"[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}", source):
        events.add(Event(category=category, domain=source.lower(), port=port_num, observed_at=when,
                         evidence=evidence, source_ref=ref))


def _parse_v02(notice: ParsedNotice, part: Part, events: Events) -> None:
    fields = {k: [_unquote(v) for v in vs] for k, vs in parse_fields(part.text).items()}

    def one(name: str) -> str:
        return (fields.get(name) or [""])[0]

    report_type = one("report-type")
    notice.category = category_of(report_type, one("category"))
    when = parse_when(one("date"))
    evidence = sanitise(f"X-ARF {one('version') or '0.2'} {report_type} from {one('source')}"
                        + (f" port {one('port')}" if one("port") else ""), 300)
    _add_source(events, notice.category, one("source"), one("source-type"), one("port"), when, evidence)
    notice.meta.update({
        "xarf_version": sanitise(one("version") or "0.2", 20),
        "report_type": sanitise(report_type, 100),
        "report_category": sanitise(one("category"), 100),
        "schema_url": sanitise(one("schema-url"), 300),
        "service": sanitise(one("service"), 100),
        "occurrences": sanitise(one("occurrences"), 20),
        "user_agent": sanitise(one("user-agent"), 200),
    })
    if one("reported-from") and not notice.notifier.email:
        notice.notifier.email = sanitise(one("reported-from"), 254).lower()


def _first(obj: dict, *names: str):
    for name in names:
        if name in obj and obj[name] not in (None, ""):
            return obj[name]
    return None


def _parse_json_report(notice: ParsedNotice, obj: dict, events: Events) -> None:
    if "Report" in obj and isinstance(obj["Report"], dict):  # abusix v3/v4 generation
        report = obj["Report"]
        reporter = obj.get("ReporterInfo") if isinstance(obj.get("ReporterInfo"), dict) else {}
        rtype, rclass = str(_first(report, "ReportType") or ""), str(_first(report, "ReportClass") or "")
        source = _first(report, "SourceIp", "Source", "SourceIP", "Ip", "Url", "SourceUrl")
        stype = "url" if _first(report, "Url", "SourceUrl") == source and source else str(
            _first(report, "SourceType") or "")
        port = _first(report, "SourcePort", "Port")
        when = parse_when(str(_first(report, "Date", "Time", "Timestamp") or ""))
        ref = _first(report, "ReportId", "Id")
        version = str(obj.get("Version", ""))
        org = _first(reporter, "ReporterOrg", "ReporterOrgName")
        mail = _first(reporter, "ReporterOrgEmail", "ReporterContactEmail")
        extra_urls = [report.get("Url")] if report.get("Url") and report.get("Url") != source else []
    else:  # xarf-spec v4
        reporter = obj.get("reporter") if isinstance(obj.get("reporter"), dict) else {}
        rtype, rclass = str(obj.get("type") or ""), str(obj.get("category") or "")
        source = _first(obj, "source_identifier", "source_ip", "source")
        stype = str(obj.get("source_type") or "")
        port = _first(obj, "source_port")
        when = parse_when(str(_first(obj, "timestamp", "date") or ""))
        ref = _first(obj, "report_id")
        version = str(obj.get("xarf_version", "4"))
        org = _first(reporter, "org")
        mail = _first(reporter, "contact")
        extra_urls = [obj.get("url")] if isinstance(obj.get("url"), str) and obj.get("url") != source else []
    category = category_of(rtype, rclass)
    if notice.category is None:
        notice.category = category
    evidence = sanitise(f"X-ARF {version} {rclass}/{rtype} from {source}" + (f" port {port}" if port else ""), 300)
    ref = sanitise(str(ref), 200) if ref else None
    urls = [refang(u) for u in extra_urls if isinstance(u, str)]
    source_ips = find_ips(str(source)) if isinstance(source, str | int) else []
    if not source and not urls and "Report" in obj:
        # No source stated: the sample logs name the sources, one per row
        # (a table whose destination column is the reporter's side).
        _sources_from_samples(report.get("Samples"), category, events, evidence, ref)
    if urls and source_ips:
        # A content report: the URL is hosted on the source address.
        for url in urls:
            event = url_event(url, category, observed_at=when, evidence=evidence, source_ref=ref)
            event.ip = event.ip or source_ips[0].ip
            events.add(event)
    else:
        if isinstance(source, str | int):
            _add_source(events, category, str(source), stype, port, when, evidence, ref)
        for url in urls:
            _add_source(events, category, url, "url", None, when, evidence, ref)
    notice.meta.setdefault("xarf_version", sanitise(version, 20))
    notice.meta.setdefault("report_type", sanitise(rtype, 100))
    notice.meta.setdefault("report_class", sanitise(rclass, 100))
    if ref:
        notice.meta.setdefault("report_ids", []).append(ref)
    if org and not notice.notifier.organisation:
        notice.notifier.organisation = sanitise(str(org), 200)
    if mail and not notice.notifier.email:
        notice.notifier.email = sanitise(str(mail), 254).lower()


def _sources_from_samples(samples, category: str, events: Events, evidence: str, ref) -> None:
    if not isinstance(samples, list):
        return
    for sample in samples[:100]:
        payload = sample.get("Payload") if isinstance(sample, dict) else None
        if not isinstance(payload, str) or sample.get("Base64Encoded") is True:
            continue
        text = payload[:MAX_JSON]
        if "\n" not in text.strip() and "," in text:
            # A CSV whose line breaks the generator turned into spaces.
            text = re.sub(r"[ \t]+", "\n", text)
        text = context_mask(text)
        for f in find_ips(text):
            if f.private or not_offender_before(text, f.start, f.end):
                continue
            events.add(Event(category=category, ip=f.ip, port=f.port, observed_at=row_time(text, f.start),
                             evidence=evidence, source_ref=ref))


def _parse_json(notice: ParsedNotice, obj, events: Events) -> None:
    reports = obj if isinstance(obj, list) else [obj]
    for report in reports:
        if isinstance(report, dict):
            _parse_json_report(notice, report, events)
    categories = {e.category for e in notice.events}
    if len(categories) == 1:
        notice.category = categories.pop()


_BRACKETED_ADDRESS = re.compile(r"\[([0-9A-Fa-f:.]{3,45})\]")


def _hosting_beside_urls(notice: ParsedNotice, body: str) -> None:
    """X-ARF 0.2 with `Source-Type: uri`: senders state the address the URL
    was hosted on beside it in the human part ("http://x.example/p [198.51.100.7]").
    Kept as the hosting location, so the case does not depend on a later DNS answer.
    Matched by host: the report part writes the URL percent-encoded, the text
    part defanged and wrapped."""
    stated: dict[str, set[str]] = {}
    for m in _BRACKETED_ADDRESS.finditer(body):
        ip = normalise_ip(m.group(1))
        if not ip or not ip_usable(ip):
            continue
        # The word before the brackets (a few blanks back, or at the end of the
        # line before: mailers wrap long URLs) must be a URL.
        end = m.start()
        while end > 0 and end > m.start() - 6 and body[end - 1] in " \t\r\n":
            end -= 1
        if body.count("\n", end, m.start()) > 1:
            continue
        start = max(body.rfind(" ", max(0, end - 2048), end), body.rfind("\n", max(0, end - 2048), end),
                    body.rfind("\t", max(0, end - 2048), end)) + 1
        word = body[start:end]
        host = url_host(word) if "://" in word else None
        if host:
            stated.setdefault(host, set()).add(ip)
    for event in notice.events:
        if not event.url or event.ip:
            continue
        ips = stated.get(url_host(event.url) or "", set())
        if len(ips) == 1:
            event.ip = next(iter(ips))


def _finish(notice: ParsedNotice, events: Events) -> ParsedNotice:
    notice.category = notice.category or "other"
    if notice.category == "csam":
        # A child-abuse report (X-ARF "ChildAbuse", "csam"): staff with the compliance
        # role only, and the hotlines' one-hour deadline, whatever format it came in.
        notice.sensitive = True
        notice.deadline_hours = 1
    return events.finish()


def parse(mail: Mail, context: ParseContext) -> ParsedNotice:
    notice = start_notice(FORMAT, mail)
    notice.notifier.no_reply = True  # X-ARF is machine-generated
    events = Events(notice, context)
    part = _yaml_part(mail)
    if part is not None:
        _parse_v02(notice, part, events)
        _hosting_beside_urls(notice, refang(mail.body_text))
        pair_hosting(refang(mail.body_text), notice)  # "hosted on server x:" and the URL below
        if notice.category == "other":
            # "Report-Type: info" declares nothing: the sender's text and evidence say what happened.
            # The evidence attachments (logs) first: the human part is a template.
            evidence = "\n".join(p.text[:50_000] for p in mail.parts if p.is_text and p is not part and p.filename)
            guess, _ = classify(evidence) if evidence.strip() else (None, 0.0)
            if not guess:
                guess, _ = classify(mail.subject + "\n" + mail.body_text[:50_000])
            if guess:
                notice.category = guess
                for event in notice.events:
                    event.category = guess
    else:
        obj = _json_part(mail)
        if obj is None:
            notice.kind = "unparseable"
            notice.errors.append("X-ARF mail without a report part")
            return notice
        _parse_json(notice, obj, events)
    return _finish(notice, events)


def parse_json_bytes(data: bytes, context: ParseContext) -> ParsedNotice | None:
    """A bare X-ARF JSON file; None if the bytes are not X-ARF JSON."""
    obj = load_json(data[:MAX_JSON + 1].decode("utf-8", "replace"))
    if obj is None or not _is_json_report(obj):
        return None
    notice = ParsedNotice(format=FORMAT, notifier=NotifierInfo(no_reply=True))
    events = Events(notice, context)
    _parse_json(notice, obj, events)
    return _finish(notice, events)
