"""Process one RawMessage: parse → reports → match → group → notify.

Idempotent and resumable. A RawMessage is claimed from its row; its events
are handled in chunks, and each chunk commits its reports, its cases and
`events_done` (the resume point) in one transaction. A crash therefore loses
at most the chunk in flight, which the next run (the sweep re-claims a stale
claim) does again; reports are also unique per (raw message, event index).

Many small notices at once (a burst of mail): `process_batch` claims up to
BATCH of them in one UPDATE and processes them in one transaction; the plain
abuse notices among them are written together, with one statement per step
for the whole batch, and write what each would alone; the others each in a
savepoint of their own, through the code of one notice alone. Their addresses
are matched with the in-memory prefix index. A notice that fails is rolled
back alone and handled as a failure of its own; a notice whose batch died
with its process is taken again one at a time.

Two paths, one chunk writer:
- a Shadowserver CSV file is streamed: rows are parsed, matched against the
  in-memory prefix index (by `prepare`, in a second process for a big one)
  and written chunk by chunk, so memory stays flat however long the report
  is (apart from the stored notice itself);
- any other notice is parsed whole by `abusedesk.parsers.parse` and written
  in one transaction; small notices are matched with single database
  look-ups, large ones with the index.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from datetime import timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q

from abusedesk.cases import digests, notify
from abusedesk.cases.bulk import add_deferred_counts, recount_opened_by
from abusedesk.cases.forwarding import IN_DIGEST, LATER, NOW, forward_each, forward_together
from abusedesk.cases.grouping import Opener, StaleCases, gather, join_groups, members_of
from abusedesk.cases.models import Case, Report
from abusedesk.lib import claims, clock
from abusedesk.lib.bulk import (
    Inserter,
    datetime_adapter,
    foreign_keys_unchecked,
    no_cycle_collection,
    page_cache,
)
from abusedesk.lib.claims import claim
from abusedesk.network import cdn
from abusedesk.network import index as prefix_index
from abusedesk.network.matching import lookup_db
from abusedesk.outbox import bounces, sending
from abusedesk.parsers import ParseContext, parse, shadowserver
from abusedesk.parsers.base import KIND_LAW_ENFORCEMENT, KIND_UNPARSEABLE, NotifierInfo, ParseError

from . import autoreply, bulk, prepare, replies, trust
from .models import RawMessage
from .reports import FIELDS, FINGERPRINT, NoticeFacts, pack
from .signals import notice_for_register, notice_parsed

log = logging.getLogger(__name__)
SMALL_NOTICE = 50  # events; above this the in-memory prefix index answers
CHUNK_RETRIES = 3
ANALYZE_AFTER = 50_000  # events; a feed this big changes the tables' statistics
KNOWN_CASES = 100_000  # cases a run remembers for its later chunks (a few MiB)
FEED_PAGE_CACHE_MIB = 16  # SQLite's page cache while a feed is written (lib.bulk.page_cache)
# A batch: this many notices claimed at once, mail only (API and form notices are nudged one by one), each
# at most BATCH_MAX_BYTES (bigger ones, which may carry many events, are processed one at a time).
BATCH = 50
BATCH_CHANNELS = [RawMessage.Channel.SMTP, RawMessage.Channel.IMAP]
BATCH_MAX_BYTES = 256 * 1024


class Superseded(Exception):
    """Another worker took over this notice (our claim went stale)."""


# Apps that fetch notices themselves (feeds) say how theirs are parsed: each
# provider gets the RawMessage and returns its ParseContext, or None.
CONTEXT_PROVIDERS: list = []


def parse_context(raw: RawMessage | None = None) -> ParseContext:
    for provider in CONTEXT_PROVIDERS if raw is not None else ():
        context = provider(raw)
        if context is not None:
            return context
    return ParseContext(own_mail_servers=tuple(settings.OWN_MAIL_SERVERS))


def claim_raw(raw_id: int, take_over_from: str = "") -> RawMessage | None:
    """Claim a notice, counting the claim as an attempt: a notice that kills its
    process is counted as surely as one that raises. `take_over_from`: a
    claimant known to be dead (its claim is taken before it goes stale)."""
    stale = clock.now() - timedelta(seconds=settings.CLAIM_TIMEOUT)
    dead = Q(claimed_by=take_over_from) if take_over_from else None
    return claim(RawMessage, raw_id, [RawMessage.State.NEW], RawMessage.State.PROCESSING, stale, also=dead,
                 attempts=F("attempts") + 1, claimed_by=claims.owner())


def process_raw_message(raw_id: int, progress=None, take_over_from: str = "") -> dict | None:
    """Claim and process; returns a summary, or None if another worker has it.

    `progress(done, total)` is called after each chunk (events; total is an estimate).
    """
    raw = claim_raw(raw_id, take_over_from)
    if raw is None:
        return None
    if raw.attempts > max_attempts():
        # Every earlier claim ended without a result and without an error caught here:
        # the notice crashed (or hung) its process each time. It is not tried again.
        _give_up(raw, f"processing was interrupted {raw.attempts - 1} times (its process crashed or was "
                      "killed while it ran)")
        log.error("raw message %s: %s; moved to the staff queue", raw_id, raw.staff_reason)
        return {"error": raw.staff_reason}
    try:
        summary = _process(raw, progress)
    except Superseded:
        log.warning("raw message %s: another worker took over", raw_id)
        return None
    except Exception as exc:
        log.exception("processing raw message %s failed", raw_id)
        _failed(raw, exc)
        return {"error": str(exc)}
    return summary


def process_batch(limit: int = BATCH) -> int:
    """Claim up to `limit` small new mail notices at once and process them in one
    transaction; returns how many were claimed (0: none left).

    Their bytes and the notifiers they may name are read once, each is parsed,
    and the plain abuse notices among them (most of a burst) are written
    together (`_write_batch`): one look-up of their reports seen before, one of
    their open cases, one INSERT of new cases, one of reports, one UPDATE that
    marks them done. What they write, stamp, audit, schedule and queue is what
    each would alone, in id order (tests/test_batches.py compares the two).
    Any other notice (a bounce, a reply, one held for review, unparseable,
    for the legal register, nothing of ours in it, many events) runs in a
    savepoint of its own through the path of a single notice (`_process`).

    A notice that raises while it is parsed, or alone in its savepoint, is
    counted as a failed attempt after the batch's commit; the others commit
    together. Should writing the plain notices together fail, they are
    written again one by one, each in its savepoint, so that the one at fault
    is rolled back alone. Should the process die, the whole batch is rolled
    back; its notices (their claims counted) are taken again one at a time by
    the sweep."""
    ids = bulk.claim_new(limit, BATCH_CHANNELS, BATCH_MAX_BYTES, claims.owner())
    if not ids:
        return 0
    failed, plain, alone = [], [], []
    lookup = prefix_index.current().lookup
    raws = list(RawMessage.objects.filter(pk__in=ids).order_by("id"))
    bulk.load_contents(raws)
    notifiers = trust.sender_notifiers()
    for raw in raws:
        try:
            item = _plain_notice(raw, notifiers)
        except Exception as exc:
            log.exception("processing raw message %s failed", raw.pk)
            failed.append((raw, exc))
            continue
        if item is None:
            alone.append(raw.pk)
        else:
            plain.append(item)
    with transaction.atomic():
        if plain:
            try:
                with transaction.atomic():
                    _write_batch(plain, lookup)
            except Exception:
                log.warning("writing %d notices together failed: each is written alone", len(plain), exc_info=True)
                alone += [item.raw.pk for item in plain]
        # Read again: the batch's work on them (notifier, format, ...) is undone.
        for raw in RawMessage.objects.filter(pk__in=alone).order_by("id") if alone else ():
            try:
                with transaction.atomic():
                    _process(raw, None, lookup=lookup)
            except Superseded:
                log.warning("raw message %s: another worker took over", raw.pk)
            except Exception as exc:
                log.exception("processing raw message %s failed", raw.pk)
                failed.append((raw, exc))
    for raw, exc in failed:
        _failed(raw, exc)
    return len(ids)


class _Plain(NamedTuple):
    """A notice of a batch that is written with the others (process_batch)."""

    raw: RawMessage
    notice: object  # parsers' parsed notice
    facts: NoticeFacts


def _plain_notice(raw: RawMessage, notifiers) -> _Plain | None:
    """The notice parsed, if it is a plain abuse notice that a batch writes with others
    (the last branch of _process_notice, few events); None for any other."""
    content = raw.content
    if bounces.may_be_bounce(raw.envelope_to, content) or (
            raw.channel == RawMessage.Channel.SMTP and replies.may_be_reply(raw.envelope_to, content)):
        return None
    proven = _identify_mail(raw, content, notifiers)
    notice = parse(content, raw.filename or None, parse_context(raw))
    if (notice.kind in (KIND_UNPARSEABLE, KIND_LAW_ENFORCEMENT, "not_report") or not notice.events
            or len(notice.events) > SMALL_NOTICE or trust.hold_reason(raw, proven, len(notice.events))
            or _for_register(raw, notice)):
        return None
    return _Plain(raw, notice, _notice_facts(raw, notice))


def _write_batch(plain: list[_Plain], lookup) -> None:
    """Write plain notices (_plain_notice) together, as each would alone, in id order.

    Each case of a key met in the batch is opened (or found) once, by the first
    notice with that key: with that notice's reports alone, forwarded quoting
    them, as it would be alone; the reports of later notices join it after."""
    held = bulk.hold_claims([item.raw.pk for item in plain], claims.owner())
    for item in plain:
        if item.raw.pk not in held:
            log.warning("raw message %s: another worker took over", item.raw.pk)
    plain = [item for item in plain if item.raw.pk in held]
    if not plain:
        return
    # The reports of each notice, those stored before (or by an earlier notice of the batch) left out.
    rows_of = []
    for item in plain:
        rows = []
        for _done, chunk_rows, _duplicates in prepare.chunks(item.raw, item.facts, item.notice.events):
            rows += chunk_rows
        rows_of.append(rows)
    stored = bulk.stored_fingerprints({r.fingerprint for rows in rows_of for r in rows})
    for i, rows in enumerate(rows_of):
        rows_of[i] = [r for r in rows if r.fingerprint not in stored]
        stored.update(r.fingerprint for r in rows_of[i])
    masks = cdn.ranges()
    for rows in rows_of:
        prepare.attribute_rows(rows, lookup, masks)
    # Grouped per notice, as alone; each key's first group opens (or finds) its case, and the
    # groups of the same key in later notices are summed up and join it afterwards.
    first: dict[tuple, tuple] = {}  # key -> (group, opener)
    later: dict[tuple, object] = {}  # key -> the later groups summed up
    key_of_rows = []
    for item, rows in zip(plain, rows_of, strict=True):
        keys, groups, of_row = gather(rows)
        key_of_rows.append([keys[g] if g >= 0 else None for g in of_row])
        for key, group in zip(keys, groups, strict=True):
            if key not in first:
                first[key] = (group, Opener(item.raw, item.facts.sensitive, item.facts.deadline_hours))
            elif key not in later:
                later[key] = group
            else:
                kept = later[key]
                later[key] = kept._replace(n=kept.n + group.n, first_seen=min(kept.first_seen, group.first_seen),
                                           last_seen=max(kept.last_seen, group.last_seen))
    keys = list(first)
    result = join_groups(plain[0].raw, keys, [first[k][0] for k in keys], forward=LATER,
                         openers=[first[k][1] for k in keys])
    case_of = dict(zip(keys, result.case_of, strict=True))
    adapt = datetime_adapter()
    now = adapt(clock.now())
    Inserter(Report, FIELDS, ignore_conflicts=True).insert(
        [row + (case_of.get(key), now)
         for rows, row_keys in zip(rows_of, key_of_rows, strict=True)
         for row, key in zip(pack(rows, adapt), row_keys, strict=True)], adapted=True)
    # Forwarded as each opener alone would: a handful of cases one mail each, many as digests.
    opened: dict[int, list[int]] = {}
    for key, pk in zip(keys, result.case_of, strict=True):
        if pk in result.new_ids:
            opened.setdefault(first[key][1].raw.pk, []).append(pk)
    single = []
    for item in plain:
        new_cases = opened.get(item.raw.pk, [])
        if len(new_cases) > digests.DIGEST_MIN_CASES:
            digests.forward_digests(item.raw, new_cases)
        else:
            single += new_cases
    forward_together(sorted(single), opener_reports_only=True)
    if later:
        join_keys = list(later)
        joined = join_groups(plain[0].raw, join_keys, [later[k] for k in join_keys],
                             forward=LATER, openers=[first[k][1] for k in join_keys])
        forward_together(sorted(joined.new_ids), opener_reports_only=True)  # none: the cases are locked open
    for item, rows in zip(plain, rows_of, strict=True):
        raw, notice = item.raw, item.notice
        _describe(raw, notice)
        raw.events_done = len(notice.events)
        if notify.notifier_contact(raw, notice)[0]:  # DSA Art 16(4), as in _process_notice
            notify.send_receipt(raw, notice, list(Case.objects.filter(reports__raw_message=raw).distinct()
                                                  .order_by("id")))
        _conclude(raw, notice.notifier, _new_summary(), allow_reply=True, totals=Counter(r.status for r in rows))
        notice_parsed.send(sender=RawMessage, raw=raw, notice=notice)
        raw.state = RawMessage.State.DONE
        raw.processed_at = clock.now()
    bulk.save_fields([item.raw for item in plain], DONE_FIELDS)
    sending.release_all([item.raw for item in plain])


# What processing a plain notice changes on its row (_write_batch writes them for a batch at once).
DONE_FIELDS = ["notifier", "trusted", "format", "kind", "category", "subject", "errors", "warnings", "event_count",
               "needs_staff", "staff_reason", "state", "processed_at", "events_done"]


def batch_waiting() -> bool:
    """Whether new mail that a batch would take is waiting."""
    return bulk.batch_waiting(BATCH_CHANNELS, BATCH_MAX_BYTES)


def _failed(raw: RawMessage, exc: Exception) -> None:
    """A caught failure: the notice is tried again later, or parked after max_attempts()."""
    raw.refresh_from_db(fields=["events_done"])
    error = f"internal error: {type(exc).__name__}: {exc}"[:500]
    if raw.attempts >= max_attempts():
        _give_up(raw, "processing failed repeatedly", error)
    else:
        raw.errors = [error]
        raw.state = RawMessage.State.NEW
        raw.save()


def max_attempts() -> int:
    return settings.PROCESSING_MAX_ATTEMPTS


def _give_up(raw: RawMessage, reason: str, error: str = "") -> None:
    raw.errors = [*raw.errors[:49], error or reason][:50]
    raw.state = RawMessage.State.FAILED
    raw.needs_staff = True
    raw.staff_reason = reason[:200]
    with transaction.atomic():
        raw.save()
        # Given up: its committed chunks opened cases forwarded, and their customers must hear of them.
        sending.release(raw)


def _process(raw: RawMessage, progress, lookup=None) -> dict:
    """`lookup`: how a small notice's addresses are matched (default: the database, one look-up each)."""
    head = _head(raw) if raw.channel not in (RawMessage.Channel.SMTP, RawMessage.Channel.IMAP) else b""
    if head and _is_feed_file(raw, head):
        # Streamed from the database: the report is never in memory whole.
        if raw.notifier_id is None and raw.channel == RawMessage.Channel.FILE:
            raw.notifier, _trusted = trust.identify(head, "")  # named, never proven
        # Its second process is forked inside: it inherits that, too.
        with no_cycle_collection():
            summary = _process_feed(raw, head, progress)
        if summary is not None:
            return summary
    content = raw.content
    if raw.channel in (RawMessage.Channel.SMTP, RawMessage.Channel.IMAP):
        with transaction.atomic():
            bounced = bounces.handle_bounce(raw)
            if bounced is not None:  # a delivery report about a mail of ours, not a notice
                raw.kind = "bounce"
                _done(raw)
                return {"events": 0, "bounce_of_mail": bounced.pk}
    if raw.channel == RawMessage.Channel.SMTP:
        case = replies.case_for_reply(raw.envelope_to, content)
        if case is not None:
            with transaction.atomic():
                replies.thread_reply(raw, case)
                raw.kind = "reply"
                _done(raw)
            return {"events": 0, "reply_to_case": case.pk}
    proven = raw.channel in trust.PROVEN_CHANNELS
    if raw.channel in (RawMessage.Channel.SMTP, RawMessage.Channel.IMAP):
        proven = _identify_mail(raw, content)
    elif raw.notifier_id is None and raw.channel == RawMessage.Channel.FILE:
        # A mail file names its sender, but nothing proves it: known, never trusted.
        raw.notifier, _trusted = trust.identify(content, "", channel=raw.channel)
    notice = parse(content, raw.filename or None, parse_context(raw))
    with transaction.atomic():
        return _process_notice(raw, notice, proven, lookup)


def _identify_mail(raw: RawMessage, content: bytes, notifiers=None) -> bool:
    """Set a mail notice's notifier (unless it has one) and whether it is trusted; returns whether
    our MTA proved its sender."""
    notifier, proven = trust.identify(content, raw.envelope_from, channel=raw.channel, remote_addr=raw.remote_addr,
                                      notifiers=notifiers)
    if raw.notifier_id is None:
        raw.notifier = notifier
    raw.trusted = proven and raw.notifier is not None and raw.notifier.trusted
    return proven


def _new_summary() -> Counter:
    return Counter(events=0, matched=0, unmatched=0, masked=0, duplicates=0, cases_new=0, cases_updated=0,
                   forwarded=0)


# -- the streaming path (feeds)

def _head(raw: RawMessage, size: int = 64 * 1024) -> bytes:
    """The first bytes of a stored notice: enough to recognise a feed and estimate its rows."""
    with raw.open_content(piece=size) as stream:
        return stream.read(size)


def _is_feed_file(raw: RawMessage, head: bytes) -> bool:
    try:
        return shadowserver.looks_like(raw.filename or None, head[:4096])
    except Exception:  # detection must never stop a notice; the full parser decides
        return False


def _process_feed(raw: RawMessage, head: bytes, progress) -> dict | None:
    started, cpu_started = time.monotonic(), time.process_time()
    # Rows in the whole report, estimated from its first 64 KiB (for the progress bar).
    total = max(round(raw.size * max(head.count(b"\n"), 1) / max(len(head), 1)) - 1, 1)
    lookup = prefix_index.current().lookup
    try:
        feed = prepare.open_feed(raw, parse_context(), lookup, skip=raw.events_done, expected_rows=total)
    except ParseError:
        return None  # the dispatcher parses it again and says why (staff queue)
    summary = _new_summary()
    summary["resumed_at"] = raw.events_done
    if raw.events_done:
        # The run before this one died with the counts it kept for its cases.
        with transaction.atomic():
            recount_opened_by(raw)
    new_cases: set[int] = set()
    # A host is listed again further down a report (another port, another time):
    # its case, met in an earlier chunk, is not looked up again, and the reports
    # that join the cases this run opened are counted once, at its end.
    known: dict[tuple, int] = {}
    deferred: dict[int, list] = {}
    with feed, page_cache(FEED_PAGE_CACHE_MIB):
        for chunk in feed:
            # Matched and grouped already (lookup None).
            _commit_chunk(raw, feed.facts, chunk.done, chunk, chunk.duplicates, None, summary, new_cases,
                          forward=IN_DIGEST, known=known, deferred=deferred)
            if len(deferred) > KNOWN_CASES:
                _add_deferred(deferred)
            if progress:
                progress(raw.events_done, max(total, raw.events_done))
        _add_deferred(deferred)
        info = feed.info
    raw.format = shadowserver.FORMAT
    raw.kind = "abuse"
    raw.category = info.category or ""
    raw.subject = f"Shadowserver {info.report_type}"[:500]
    raw.event_count = info.events
    raw.errors = list(info.warnings)[:50] if not info.events else []
    raw.warnings = list(info.warnings)[:50]
    _conclude(raw, NotifierInfo(name="Shadowserver", no_reply=True), summary, allow_reply=False)
    summary["events"] = info.events
    summary["seconds_to_cases"] = round(time.monotonic() - started, 3)
    summary["cpu_seconds_to_cases"] = round(time.process_time() - cpu_started, 3)
    if summary["events"] >= ANALYZE_AFTER:
        bulk.refresh_statistics()
    # The cases are committed, those with a contact opened forwarded, their
    # digests held with them: done releases the digests, the outbox composes them.
    with transaction.atomic():
        _done(raw)
    summary["seconds"] = round(time.monotonic() - started, 3)
    return dict(summary)


# -- notices parsed whole

def _describe(raw: RawMessage, notice) -> None:
    """What the parsed notice says of itself, on its row."""
    raw.format = notice.format[:40]
    raw.kind = notice.kind
    raw.category = notice.category or ""
    raw.subject = (notice.subject or "")[:500]
    raw.errors = list(notice.errors)[:50]
    raw.warnings = list(notice.warnings)[:50]
    raw.event_count = len(notice.events)


def _notice_facts(raw: RawMessage, notice) -> NoticeFacts:
    # Only a trusted notice (intake.trust) may shorten the deadline by what it says of itself.
    return NoticeFacts(category=notice.category, sensitive=notice.sensitive,
                       reference=(notice.notifier.reference or "")[:200],
                       deadline_hours=notice.deadline_hours if raw.trusted else None)


def _process_notice(raw: RawMessage, notice, proven: bool = False, lookup=None) -> dict:
    _describe(raw, notice)
    summary = _new_summary()
    summary["events"] = len(notice.events)
    facts = _notice_facts(raw, notice)
    hold = trust.hold_reason(raw, proven, len(notice.events)) if notice.kind not in (
        KIND_UNPARSEABLE, KIND_LAW_ENFORCEMENT, "not_report") else ""
    if hold:
        # Nothing is written, forwarded or answered until staff have looked at it.
        raw.review = RawMessage.Review.HELD
        _to_staff(raw, hold)
        summary["held_for_review"] = 1
    elif notice.kind == KIND_UNPARSEABLE:
        _to_staff(raw, notice.errors[0] if notice.errors else "unparseable")
    elif notice.kind == KIND_LAW_ENFORCEMENT or _for_register(raw, notice):
        # Never forwarded by intake: the legal team's register takes it, and opens the cases of
        # an order against content itself once it knows whether the customer may be told.
        for done, rows, duplicates in prepare.chunks(raw, facts, notice.events):
            _commit_chunk(raw, facts, done, rows, duplicates, None, summary, set(),
                          status=Report.Status.LAW_ENFORCEMENT)
        if notice.kind == KIND_LAW_ENFORCEMENT:
            _to_staff(raw, "law-enforcement request")
    elif notice.kind == "not_report":
        # A bounce, an automatic reply, an acknowledgement: stored and listed in
        # the desk's "Not reports" queue; no case, and never an automatic answer.
        raw.staff_reason = f"not a report: {notice.meta.get('not_report', '')}"[:200]
    elif not notice.events:
        reason = notice.errors[0] if notice.errors else "no IP address, URL or domain found"
        if notice.warnings:  # what the parser skipped may be where the address was
            reason = f"{reason} (parser: {'; '.join(notice.warnings)})"
        _to_staff(raw, reason)
        if notice.kind == "abuse":
            autoreply.send(raw, autoreply.UNMATCHED, notice.notifier, [reason])
    else:
        if lookup is None:
            lookup = lookup_db if len(notice.events) <= SMALL_NOTICE else prefix_index.current().lookup
        new_cases: set[int] = set()
        for done, rows, duplicates in prepare.chunks(raw, facts, notice.events):
            _commit_chunk(raw, facts, done, rows, duplicates, lookup, summary, new_cases, forward=LATER)
        # Many new cases (a big notice): one digest per customer; a handful: one mail each.
        summary["forwarded"] += _forward(raw, new_cases, digest=len(new_cases) > digests.DIGEST_MIN_CASES)
        # DSA Art 16(4): the notifier hears that its notice was received and acted on.
        if notify.notifier_contact(raw, notice)[0]:  # the cases are read only for a receipt that is sent
            notify.send_receipt(raw, notice, list(Case.objects.filter(reports__raw_message=raw).distinct()
                                                  .order_by("id")))
        _conclude(raw, notice.notifier, summary, allow_reply=True)
    notice_parsed.send(sender=RawMessage, raw=raw, notice=notice)  # e.g. the legal register (lawenforcement)
    _done(raw)
    return dict(summary)


def _for_register(raw: RawMessage, notice) -> bool:
    """Whether the legal register takes this abuse notice (notice_for_register says why)."""
    return notice.kind == "abuse" and any(
        taken for _receiver, taken in notice_for_register.send(sender=RawMessage, raw=raw, notice=notice))


def _forward(raw, new_cases: set, *, digest: bool) -> int:
    if digest:
        return digests.forward_digests(raw, new_cases)
    return forward_each(sorted(new_cases))


# -- writing a chunk

def _add_deferred(deferred: dict[int, list]) -> None:
    if deferred:
        with transaction.atomic():
            add_deferred_counts(deferred)
        deferred.clear()


def _commit_chunk(raw, facts, done: int, rows, duplicates: int, lookup, summary: Counter, new_cases: set, *,
                  status: str = "", forward: str = NOW, known: dict | None = None,
                  deferred: dict | None = None) -> None:
    """Write one chunk's rows and advance raw.events_done to `done`, all or nothing.

    `rows`: ReportRows (prepare.chunks), which `lookup` matches unless they
    are not to be matched (`status`); or a prepare.Chunk, matched and grouped
    already (a feed). With `deferred` (a feed's), the counts of the reports
    that join cases this run opened (`new_cases`) are added up there, not
    written."""
    attempt = 0
    while True:  # a retry after StaleCases has nothing known left to go stale
        try:
            with foreign_keys_unchecked() as unchecked, transaction.atomic():
                # The resume point moves only if nobody else moved it: a worker
                # whose claim went stale cannot write the same chunk twice.
                moved = RawMessage.objects.filter(pk=raw.pk, events_done=raw.events_done).update(
                    events_done=done, claimed_at=clock.now())
                if not moved:
                    raise Superseded()
                if isinstance(rows, prepare.Chunk):
                    chunk = _without_stored(rows)
                    counts = _write_chunk(raw, facts, chunk, new_cases, new_cases if deferred is not None else None,
                                          forward, known)
                else:
                    chunk, members = _ready_rows(raw, rows, duplicates, lookup, status, forward)
                    counts = _write_chunk(raw, facts, chunk, new_cases, None, forward, known, members)
                if unchecked:
                    # SQLite did not check the parents row by row. The customers and assignments
                    # come from the prefix index, which may predate a deletion.
                    bulk.check_parents(assignments=chunk.assignments, customers=chunk.customers,
                                       notifier_id=raw.notifier_id, raw_id=raw.pk)
            break
        except StaleCases:
            # A case met earlier was closed meanwhile: look every case of the chunk up.
            known.clear()
            log.info("raw message %s: a case changed under chunk at %s, grouping it again", raw.pk, raw.events_done)
        except IntegrityError as exc:
            # A concurrent worker opened one of our cases first: the chunk is
            # rolled back whole and grouped again, now joining that case.
            attempt += 1
            if attempt == CHUNK_RETRIES:
                raise
            log.info("raw message %s: chunk at %s failed (%s), retrying", raw.pk, raw.events_done, exc)
    raw.events_done = done
    cases = counts.pop("cases")
    if known is not None:  # committed: these ids are real
        if len(known) + len(cases) > KNOWN_CASES:
            known.clear()
        known.update(cases)
    for pk, n, first, last in counts.pop("deferred"):
        kept = deferred.get(pk)
        if kept is None:
            deferred[pk] = [n, first, last]
        else:
            kept[0] += n
            kept[1], kept[2] = min(kept[1], first), max(kept[2], last)
    new_cases.update(counts.pop("new_ids"))
    summary["forwarded"] += len(counts.pop("in_digest_ids"))
    summary.update(counts)


def _ready_rows(raw, rows, duplicates: int, lookup, status: str, forward: str):
    """ReportRows as a prepare.Chunk (and, for NOW, each group's rows: their
    mails quote them): the reports seen before left out, the rest matched."""
    # Seen before (same notifier and the same reference or content): stored once.
    stored = bulk.stored_fingerprints({r.fingerprint for r in rows})
    if stored:
        duplicates += sum(1 for r in rows if r.fingerprint in stored)
        rows = [r for r in rows if r.fingerprint not in stored]
    if status:
        for row in rows:
            row.status = status
    elif lookup is not None:
        prepare.attribute_rows(rows, lookup, cdn.ranges())
    chunk = prepare.ready(0, rows, duplicates)
    return chunk, members_of(rows, chunk.of_row) if forward == NOW else None


def _without_stored(chunk):
    """A feed's Chunk without the reports stored before (a feed sent again under
    another name, overlapping reports): rare, so its rows are regrouped then."""
    stored = bulk.stored_fingerprints({r[FINGERPRINT] for r in chunk.rows})
    if not stored:
        return chunk
    rows = [r for r in prepare.unpack(chunk) if r.fingerprint not in stored]
    return prepare.ready(chunk.done, rows, chunk.duplicates + len(chunk.rows) - len(rows))


def _write_chunk(raw, facts, chunk, new_cases: set, own: set | None, forward: str, known, members=None) -> Counter:
    counts = Counter(duplicates=chunk.duplicates)
    result = join_groups(raw, chunk.keys, chunk.groups, sensitive=facts.sensitive,
                         notice_hours=facts.deadline_hours, forward=forward, known=known, members=members, own=own)
    counts["cases_new"] += len(result.new_ids)
    counts["cases_updated"] += len(set(result.updated_ids) - new_cases)
    counts["deferred"] = result.deferred
    counts["new_ids"] = result.new_ids
    counts["in_digest_ids"] = result.in_digest_ids
    counts["cases"] = result.cases
    case_of = [*result.case_of, None]  # a row of no group (-1) has no case
    now = datetime_adapter()(clock.now())
    Inserter(Report, FIELDS, ignore_conflicts=True).insert(
        [row + (case_of[g], now) for row, g in zip(chunk.rows, chunk.of_row, strict=True)], adapted=True)
    return counts


# -- the end of a notice

def _conclude(raw: RawMessage, info, summary: Counter, *, allow_reply: bool, totals=None) -> None:
    """Totals from the database (a resumed run saw only part of the events), or `totals`
    (status -> reports stored: a batch knows them); nothing of ours: staff queue and, for
    a person, one automatic reply."""
    if totals is None:
        totals = dict(Report.objects.filter(raw_message=raw).values_list("status").annotate(n=Count("id")))
    summary["matched"] = totals.get(Report.Status.MATCHED, 0)
    summary["unmatched"] = totals.get(Report.Status.UNMATCHED, 0)
    summary["masked"] = totals.get(Report.Status.MASKED, 0)
    if summary["matched"] or not (summary["unmatched"] or summary["masked"]):
        return
    masked = summary["masked"] > 0
    status = Report.Status.MASKED if masked else Report.Status.UNMATCHED
    reasons = list(dict.fromkeys(
        Report.objects.filter(raw_message=raw, status=status).order_by("event_index")
        .values_list("reason", flat=True)[:20]))[:5]
    if masked:
        _to_staff(raw, reasons[0] if reasons else "masked by CDN")
        masker = next((c for c in cdn.ranges().cdns.values() if f"CDN {c.name}:" in (reasons or [""])[0]), None)
        if allow_reply:
            autoreply.send(raw, autoreply.MASKED, info, reasons, cdn=masker)
    else:
        first = reasons[0] if reasons else ""
        reason = "no IP address of ours found"
        if first and first != reason:
            reason = f"{reason} ({first})"
        _to_staff(raw, reason)
        if allow_reply:
            autoreply.send(raw, autoreply.UNMATCHED, info, reasons)


def _to_staff(raw: RawMessage, reason: str) -> None:
    raw.needs_staff = True
    raw.staff_reason = reason[:200]


def _done(raw: RawMessage) -> None:
    """Mark the notice done and release its held digests (a feed's), in the caller's transaction."""
    raw.state = RawMessage.State.DONE
    raw.processed_at = clock.now()
    raw.save()
    sending.release(raw)
