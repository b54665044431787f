"""Score `abusedesk.parsers.parse` against a corpus of recorded notices.

    python bench/score_corpus.py CORPUS_DIR [--by class|family] [--show-misses N]

Two layouts are read. Our own corpus (abusedesk/parsers/tests/corpus): each
`NAME.eml` next to `NAME.expected.json` = {"kind": "report"|"not_report",
"offenders": [...], "category": ..., "observed_at": ...}; see that folder's
README for how its rates are counted (`score_expected`). Otherwise the
corpus is a directory of mails, each `NAME` next to `NAME.assertions.json`
holding another parser's recorded output (the layout of abusix's
inbound-parsers `testdata/sample_mails`: `parser_output.events[].resources`
with `ip` and/or `url`, and `parser_output.rejected` for mails that are not
reports). The corpus stays outside this repository; only this script is ours.

Printed per sender class (the file name up to its first dot; `--by family`:
per format abusedesk read the file as, e.g. arf, xarf, acns, shadowserver)
and in total:
- exact: our offender set equals the recorded one (IPs when the record
  names IPs, else URL hosts); records the peer rejected or left empty are
  counted apart ("rejected"), with how many of them we class `not_report`;
- any: at least one recorded offender found (records that name one);
- category: our category agrees with the type the file's name states
  (`sender.phishing.3.eml`), where that type maps onto one of ours;
- dated: every event we found has an observed_at (files where we found any);
  the record holds no times, so this says how often a time was read, not
  that it is right (the unit tests check that);
- crash: our result says a parser failed.
Records naming an address that the mail does not contain (the peer looked a
name up in the DNS) are counted as "dns" and left out of the offender rates.
DMARC aggregate reports in which every source passed DMARC are counted apart
too ("dmarc all-pass"): the record lists every source of such a report as a
resource, but a source that passed is a server the domain's owner authorised,
so the report names no offender (abusedesk classes it `not_report`); the
summary line says how many there were and how many we class so.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import re
import sys
import time
from collections import defaultdict
from datetime import datetime
from urllib.parse import urlsplit

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from abusedesk.parsers import archive, parse  # noqa: E402
from abusedesk.parsers.base import ParseContext, ParseError  # noqa: E402
from abusedesk.parsers.mime import parse_mail  # noqa: E402

# The type word of the corpus' file names -> our category. Not scored:
# "illegal_advertisement" (the corpus files so named are requests to take down web
# sites that sell unlicensed medicine, offer gambling or misuse a brand: none is
# about mail, so it is not "spam", and our categories have no one counterpart).
TYPE_WORDS = {
    "phishing": "phishing", "copyright": "copyright", "trademark": "copyright", "apiccopyright": "copyright",
    "spam": "spam", "malware": "malware", "login_attack": "brute_force", "loginattack": "brute_force",
    "fraud": "fraud", "open": "vulnerable_service", "ddos": "ddos", "portscan": "scanning",
    "port_scan": "scanning", "bot": "botnet", "cve": "vulnerable_service", "child_abuse": "csam",
    "spamcop": "spam", "02_feedback_loop": "spam", "01_marf": "spam", "acns": "copyright",
"child_abuse_material": "csam", "csam": "csam", "scan": "scanning",
    "childabuse": "csam", "webhack": "malware", "web_hack": "malware", "compromised_server": "malware",
    "compromised_website": "malware", "exploit": "scanning", "spamvertised": "spam",
}


def _host(url: str) -> str:
    text = url.strip().lower()
    if "://" not in text:
        text = "http://" + text
    try:
        return (urlsplit(text).hostname or "").rstrip(".")
    except ValueError:
        return ""


def expected(record: dict) -> tuple[bool, set[str], set[str]]:
    """(is a report, offender IPs, offender URL hosts) of one record."""
    output = record.get("parser_output") or {}
    ips: set[str] = set()
    hosts: set[str] = set()
    for event in output.get("events") or []:
        res = event.get("resources") or {}
        if res.get("ip"):
            ips.add(str(res["ip"]).strip().lower())
        if res.get("url"):
            host = _host(str(res["url"]))
            if host:
                hosts.add(host)
    return not output.get("rejected") and bool(ips or hosts), ips, hosts


_DMARC_RECORD = re.compile(r"<record>(.{0,20000}?)</record>", re.S)
_DMARC_PASS = re.compile(r"<policy_evaluated>.{0,2000}?<(dkim|spf)>\s*pass\s*</\1>.{0,2000}?</policy_evaluated>", re.S)


def dmarc_all_passed(readable: str) -> bool:
    """Whether the text holds a DMARC aggregate report whose every record passed
    DMARC (DKIM or SPF aligned and passing, RFC 7489): read here, apart from
    the parser, so that the scorer does not take our word for it."""
    if "<feedback" not in readable or "<policy_evaluated>" not in readable:
        return False
    records = [m.group(1) for m in _DMARC_RECORD.finditer(readable)]
    return bool(records) and all(_DMARC_PASS.search(r) for r in records)


def ours(notice) -> tuple[set[str], set[str]]:
    ips = {e.ip.lower() for e in notice.events if e.ip}
    hosts = {_host(e.url) for e in notice.events if e.url} | {e.domain.lower() for e in notice.events if e.domain}
    hosts.discard("")
    return ips, hosts


def score_file(path: str, record: dict) -> dict:
    with open(path, "rb") as fh:
        data = fh.read()
    if not data.strip():
        # An empty file in the corpus (the mail was lost when it was recorded):
        # nothing to read, so not scored.
        return {"rejected": False, "empty": True, "exact": None, "any": None, "category": None, "crash": False,
                "dated": None, "want": [], "got": [], "kind": "", "cat": None, "want_cat": None, "format": "empty",
                "dmarc_pass": False}
    notice = parse(data, os.path.basename(path))
    is_report, exp_ips, exp_hosts = expected(record)
    got_ips, got_hosts = ours(notice)
    readable = ""
    if exp_ips:
        mail = parse_mail(data, ParseContext())
        readable = data.decode("latin-1").lower() + "\n".join(p.raw_text.lower() for p in mail.parts)
        for part in mail.attachments():  # zipped or gzipped attachments
            if part.payload and (archive.is_zip(part.payload) or archive.is_gzip(part.payload)):
                try:
                    readable += "\n".join(c.decode("latin-1").lower()
                                          for _, c in archive.unpack(part.payload, part.filename, ParseContext()))
                except ParseError:
                    pass
    all_pass = bool(exp_ips) and dmarc_all_passed(readable)
    if exp_ips and not all(ip in readable for ip in exp_ips):
        # The record names an address the mail never states (the peer resolved a
        # name): a pure parser cannot know it, so this file is not scored on offenders.
        exact = anyright = None
    elif all_pass:
        # A DMARC report whose every source passed: the record lists the domain's
        # own authorised servers; there is no offender to find (see the docstring).
        exact = anyright = None
    elif not is_report:
        # The peer rejected it or named nobody, for reasons of its own (not its
        # customer, a reply, not a report): not scored on offenders.
        exact = anyright = None
    elif exp_ips:
        exact = got_ips == exp_ips
        anyright = bool(got_ips & exp_ips)
    else:
        exact = got_hosts == exp_hosts  # ours may name a host as URL or as domain
        anyright = bool(got_hosts & exp_hosts)
    want = None
    for word in os.path.basename(path).lower().split("."):
        if word in TYPE_WORDS:
            want = TYPE_WORDS[word]
    if not is_report:
        category_ok = None
    elif want:
        category_ok = notice.category == want
    else:
        category_ok = None
    crash = any("parser failed" in e for e in notice.errors)
    dated = all(e.observed_at for e in notice.events) if notice.events and is_report else None
    return {"rejected": not is_report, "exact": exact, "any": anyright, "category": category_ok, "crash": crash, "dated": dated,
            "want": sorted(exp_ips or exp_hosts), "got": sorted(got_ips | got_hosts)[:8], "kind": notice.kind,
            "cat": notice.category, "want_cat": want, "format": notice.format, "empty": False,
            "dmarc_pass": all_pass}


def _identity(event) -> str:
    """The address an event names: its IP when it has one (an address stated
    beside a URL is the hosting location), else its URL's host or domain."""
    if event.ip:
        return _norm(event.ip)
    if event.url:
        return _norm(_host(event.url))
    return _norm(event.domain or "")


def _norm(value: str) -> str:
    value = value.strip().lower().rstrip(".")
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return value


def score_expected(path: str, exp: dict) -> dict:
    """Score one notice of our own corpus against its NAME.expected.json.

    exact: the set of addresses our events name (`_identity`) equals
    "offenders"; any: they share one; category: equal to "category"; kind: a
    not-report must come out `not_report`, a report must not come out
    `not_report` or `unparseable`; dated: the earliest observed_at equals
    "observed_at" (only where the file states one)."""
    with open(path, "rb") as fh:
        data = fh.read()
    notice = parse(data, os.path.basename(path))
    is_report = exp.get("kind", "report") != "not_report"
    want = {_norm(o) for o in exp.get("offenders") or []}
    got = {_identity(e) for e in notice.events} - {""}
    if is_report:
        kind_ok = notice.kind not in ("not_report", "unparseable")
        exact, anyright = got == want, bool(got & want)
        category_ok = notice.category == exp.get("category") if exp.get("category") else None
    else:
        kind_ok, exact, anyright, category_ok = notice.kind == "not_report", None, None, None
    dated = None
    if is_report and exp.get("observed_at"):
        times = [e.observed_at for e in notice.events if e.observed_at]
        dated = bool(times) and min(times) == datetime.fromisoformat(exp["observed_at"])
    crash = any("parser failed" in e for e in notice.errors)
    return {"rejected": not is_report, "exact": exact, "any": anyright, "category": category_ok, "crash": crash,
            "dated": dated, "kind_ok": kind_ok, "want": sorted(want), "got": sorted(got)[:8], "kind": notice.kind,
            "cat": notice.category, "want_cat": exp.get("category"), "format": notice.format, "empty": False}


def score_own_corpus(directory: str, only: str = "") -> list[dict]:
    """Score every NAME.eml with a NAME.expected.json in `directory`."""
    results = []
    for name in sorted(os.listdir(directory)):
        if not name.endswith(".eml") or not name.startswith(only):
            continue
        stem = os.path.join(directory, name[:-4])
        if not os.path.exists(stem + ".expected.json"):
            continue
        with open(stem + ".expected.json", encoding="utf-8") as fh:
            exp = json.load(fh)
        result = score_expected(stem + ".eml", exp)
        result["name"] = name
        results.append(result)
    return results


def _rate(values: list) -> str:
    known = [v for v in values if v is not None]
    return f"{100 * sum(known) / len(known):5.1f}% ({sum(known)}/{len(known)})" if known else "    -"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", help="directory of NAME + NAME.assertions.json")
    ap.add_argument("--min-class", type=int, default=5, help="print classes with at least this many files")
    ap.add_argument("--show-misses", type=int, default=0, help="print this many inexact files")
    ap.add_argument("--only", default="", help="score only files whose name starts with this")
    ap.add_argument("--by", choices=("class", "family"), default="class",
                    help="group by sender class (file name) or by the format we read the file as")
    args = ap.parse_args()
    if not os.path.isdir(args.corpus):
        print(f"error: {args.corpus} is not a directory", file=sys.stderr)
        return 2
    own = any(n.endswith(".expected.json") for n in os.listdir(args.corpus))
    names = [] if own else sorted(n for n in os.listdir(args.corpus)
                   if not n.endswith((".json", ".go")) and os.path.exists(os.path.join(args.corpus, n + ".assertions.json"))
                   and n.startswith(args.only))
    results: dict[str, list[dict]] = defaultdict(list)
    started = time.perf_counter()
    for i, name in enumerate(names, 1):
        try:
            with open(os.path.join(args.corpus, name + ".assertions.json"), encoding="utf-8") as fh:
                record = json.load(fh)
        except (OSError, ValueError):
            continue
        result = score_file(os.path.join(args.corpus, name), record)
        result["name"] = name
        results[result["format"] if args.by == "family" else name.split(".", 1)[0]].append(result)
        if i % 200 == 0:
            print(f"  {i}/{len(names)}", file=sys.stderr)
    if own:
        for result in score_own_corpus(args.corpus, args.only):
            results[result["format"] if args.by == "family" else result["name"].split(".", 1)[0]].append(result)
    elapsed = time.perf_counter() - started
    everything = [r for rs in results.values() for r in rs]
    print(f"{args.by:28} {'files':>5}  {'exact offender set':>20}  {'any right':>20}  {'category':>20}"
          f"  {'time right' if own else 'dated':>20}")
    for cls in sorted(results, key=lambda c: -len(results[c])):
        rs = results[cls]
        if len(rs) >= args.min_class:
            print(f"{cls[:28]:28} {len(rs):5}  {_rate([r['exact'] for r in rs]):>20}  "
                  f"{_rate([r['any'] for r in rs]):>20}  {_rate([r['category'] for r in rs]):>20}  "
                  f"{_rate([r['dated'] for r in rs]):>20}")
    print(f"{'TOTAL':28} {len(everything):5}  {_rate([r['exact'] for r in everything]):>20}  "
          f"{_rate([r['any'] for r in everything]):>20}  {_rate([r['category'] for r in everything]):>20}  "
          f"{_rate([r['dated'] for r in everything]):>20}")
    print(f"crashes: {sum(r['crash'] for r in everything)}; "
          f"dns (offender not in the mail, not scored): "
          f"{sum(r['exact'] is None and not r['rejected'] and not r['empty'] and not r.get('dmarc_pass', False) for r in everything)}; "
          f"dmarc all-pass (record lists authorised sources, not scored): "
          f"{sum(r.get('dmarc_pass', False) for r in everything)}, of which we class not_report: "
          f"{sum(r.get('dmarc_pass', False) and r['kind'] == 'not_report' for r in everything)}; "
          f"empty files (not scored): {sum(r['empty'] for r in everything)}; "
          f"rejected or empty in the record: {sum(r['rejected'] for r in everything)}, "
          f"of which we class not_report: {sum(r['rejected'] and r['kind'] == 'not_report' for r in everything)}; "
          f"{len(everything) / elapsed:.0f} files/s")
    if own:
        not_reports = [r for r in everything if r["rejected"]]
        print(f"own corpus: kind right {_rate([r['kind_ok'] for r in everything]).strip()}, "
              f"of the not-reports {_rate([r['kind_ok'] for r in not_reports]).strip()}")
    shown = 0
    for r in everything:
        if shown >= args.show_misses:
            break
        if r["exact"] is False or r["category"] is False or r.get("kind_ok") is False or (own and r["dated"] is False):
            shown += 1
            print(f"MISS {r['name']}: want {r['want'][:6]} got {r['got'][:6]} kind={r['kind']} "
                  f"cat={r['cat']}/{r['want_cat']} fmt={r['format']}" + (f" time_ok={r['dated']}" if own else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
