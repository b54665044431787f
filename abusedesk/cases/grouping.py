"""Group matched reports into cases: one open case per customer, target and category.

A chunk of reports is grouped at once (a feed has hundreds of thousands):
`gather` sums the rows up per (customer, target, category) key (pure: a
feed's second process runs it), `join_groups` finds the keys' open cases
with one query, inserts the new ones together and updates the counters
together, and gives the case of each group; `group_rows` does both for rows
at hand and assigns `case_id` on them. The caller stores the rows (in the
same transaction).

How new cases are forwarded (`forward`: NOW, LATER or IN_DIGEST) is forwarding.py;
the SQL that reads and writes the cases is bulk.py: this module decides.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime
from operator import itemgetter
from typing import NamedTuple

from abusedesk.lib import clock
from abusedesk.lib.bulk import datetime_adapter
from abusedesk.network.bulk import customer_rows
from abusedesk.network.models import Customer, Entity
from abusedesk.policy.bulk import with_own_deadlines
from abusedesk.policy.deadlines import deadline_from, deadline_hours
from abusedesk.policy.schedule import PolicyCache, check_point

from . import digests, notify, signals
from .audit import audit_row
from .bulk import (
    CASE_FIELDS,
    JOINABLE,
    STILL_RESOLVED,
    add_counts,
    all_joinable,
    insert_audits,
    insert_cases,
    open_cases,
)
from .forwarding import IN_DIGEST, NOW
from .models import Case, Report
from .states import State
from .workflow import transition

log = logging.getLogger(__name__)

# For these the URL is what the customer must take down; for the rest the host is.
CONTENT_CATEGORIES = frozenset({"phishing", "csam", "terrorism", "copyright", "fraud"})


class StaleCases(Exception):
    """A case this run met earlier is no longer open: the chunk is grouped again, looked up."""


_in_field_order = itemgetter(*CASE_FIELDS)  # a values dict -> its tuple, in one C call


def target_of(report) -> str:
    if report.url and report.category in CONTENT_CATEGORIES:
        return report.url
    return report.ip or report.url or report.domain


class Group(NamedTuple):
    """What a chunk's reports of one (customer, target, category) key add up to:
    all their case needs, so that the reports themselves need not travel with it."""

    n: int
    first_seen: datetime
    last_seen: datetime
    ip: str | None  # of the first report: a new case takes these
    url: str
    domain: str
    assignment_id: int | None
    end_customer_id: int | None


def gather(rows) -> tuple[list[tuple], list[Group], list[int]]:
    """The matched rows' keys (customer, target, category) in order of appearance,
    their Groups, and for each row the index of its group (-1: not matched).

    Pure, no database: a feed's second process runs it, so that the writer only
    looks the keys up."""
    index: dict[tuple, int] = {}
    keys: list[tuple] = []
    stats: list[list] = []
    of_row: list[int] = []
    matched = Report.Status.MATCHED
    for r in rows:
        if r.status != matched:
            of_row.append(-1)
            continue
        key = (r.customer_id, target_of(r)[:2048], r.category)
        seen = r.observed_at or r.received_at
        g = index.get(key)
        if g is None:
            g = index[key] = len(keys)
            keys.append(key)
            stats.append([1, seen, seen, r.ip, r.url, r.domain, r.assignment_id, r.end_customer_id])
        else:
            s = stats[g]
            s[0] += 1
            if seen < s[1]:
                s[1] = seen
            elif seen > s[2]:
                s[2] = seen
        of_row.append(g)
    return keys, [Group(*s) for s in stats], of_row


def members_of(rows, of_row: list[int]) -> dict[int, list]:
    """Group index -> its rows (gather's `of_row`): what a new case's mail quotes (NOW)."""
    members: dict[int, list] = {}
    for row, g in zip(rows, of_row, strict=True):
        if g >= 0:
            members.setdefault(g, []).append(row)
    return members


class Opener(NamedTuple):
    """The notice that opens a group's case, should it need one, and what it says of itself
    (join_groups' `openers`: a batch of notices grouped together, each case opened by its first)."""

    raw: object  # RawMessage
    sensitive: bool
    notice_hours: float | None


class GroupResult:
    def __init__(self):
        self.new_ids: list[int] = []
        self.updated_ids: list[int] = []
        self.in_digest_ids: list[int] = []  # new cases opened forwarded (IN_DIGEST)
        self.cases: dict[tuple, int] = {}  # (customer, target, category) -> the open case the rows joined
        self.case_of: list[int] = []  # the case of each group, in the order of the keys given
        # Reports that joined cases of `own` and are not counted yet: (id, n, first seen, last seen).
        self.deferred: list[tuple] = []


class _Caches:
    """Customers' entities and deadline policies looked up once per chunk, not per case."""

    def __init__(self):
        self.entity_of: dict[int, int] = {}  # customer -> entity
        self.contact_of: dict[int, str] = {}  # customer -> address its mail goes to, "" for none
        self.entities: dict[int, Entity] = {}
        self.with_override: set[int] = set()
        self.hours: dict[tuple, float] = {}
        self.schedules: dict[tuple, tuple] = {}
        self.policies = PolicyCache()

    def load_customers(self, ids) -> None:
        missing = [i for i in ids if i not in self.entity_of]
        # Plain rows, not model instances: a feed has tens of thousands of customers.
        for pk, entity_id, abuse, main in customer_rows(missing, "entity_id", "abuse_email", "main_email"):
            self.entity_of[pk] = entity_id
            self.contact_of[pk] = Customer.contact_of(abuse, main)
        self.with_override.update(with_own_deadlines(missing))
        entities = {self.entity_of[i] for i in missing} - set(self.entities)
        self.entities.update(Entity.objects.in_bulk(list(entities)))

    def schedule(self, received, hours: float, entity_id: int, category: str) -> tuple:
        """(deadline, next_check_at) of a new case: the cases of a notice share them."""
        key = (received, hours, entity_id, category)
        if key not in self.schedules:
            deadline = deadline_from(received, hours)
            # What next_check() gives a new case, forwarded or not (a customer without an
            # address is reminded, i.e. "not mailed" is audited, as on the one-at-a-time path):
            # its first reminder point, or the deadline.
            points, informational = self.policies.get(entity_id, category)
            self.schedules[key] = (deadline, check_point(deadline, hours, points, 0, informational))
        return self.schedules[key]

    def deadline_hours(self, customer_id: int, category: str, notice_hours, notifier) -> float:
        # Most customers have no override of their own: they share the entity's answer,
        # so a feed with tens of thousands of customers costs a handful of policy queries.
        own = customer_id if customer_id in self.with_override else None
        entity_id = self.entity_of[customer_id]
        key = (entity_id, own, category, notice_hours, notifier.pk if notifier else None)
        if key not in self.hours:
            self.hours[key] = deadline_hours(self.entities[entity_id], category, notice_hours=notice_hours,
                                             notifier=notifier, customer=Customer.objects.get(pk=own) if own else None)
        return self.hours[key]


def group_rows(raw, rows, *, sensitive: bool = False, notice_hours: float | None = None,
               forward: str = NOW, known: dict[tuple, int] | None = None) -> GroupResult:
    """Join each matched row to its open case or open one; sets row.case_id.

    `gather` and `join_groups` in one, for rows at hand (ReportRows or Reports)."""
    keys, groups, of_row = gather(rows)
    members = members_of(rows, of_row) if forward == NOW else None
    result = join_groups(raw, keys, groups, sensitive=sensitive, notice_hours=notice_hours, forward=forward,
                         known=known, members=members)
    for row, g in zip(rows, of_row, strict=True):
        if g >= 0:
            row.case_id = result.case_of[g]
    return result


def join_groups(raw, keys: list[tuple], groups: list[Group], *, sensitive: bool = False,
                notice_hours: float | None = None, forward: str = NOW, known: dict[tuple, int] | None = None,
                members: dict[int, list] | None = None, own: set[int] | None = None,
                openers: list[Opener] | None = None) -> GroupResult:
    """Join each group (see `gather`) to the open case of its key or open one;
    GroupResult.case_of gives the case of each.

    A new case is opened by notice `raw`, with `sensitive` and `notice_hours`; or, with
    `openers` (one per group: a batch of notices grouped at once), by its group's Opener.

    New cases are forwarded as `forward` says (NOW, LATER or IN_DIGEST: see
    the module's docstring); NOW quotes the reports in `members` (group index
    -> its rows). `known` holds the cases earlier chunks of the same notice
    joined or opened (GroupResult.cases, once committed): their keys are not
    looked up again. Should one of them have been closed or resolved since,
    StaleCases is raised; the caller rolls back and groups the chunk again
    without `known`. The cases of `own` (the ones earlier chunks of the run
    opened) are not updated: their counts are left in GroupResult.deferred,
    for the caller to add up and apply once (bulk.add_deferred_counts)."""
    result = GroupResult()
    if not keys:
        return result
    now = clock.now()
    open_cases = _open_cases(keys, groups, known or {})
    caches = _Caches()
    case_of: list[int | None] = [None] * len(keys)

    # A resolved case with a report observed after its resolution is open again, and
    # whoever verifies takedowns hears of it; a report observed before the resolution
    # that arrives late joins it as it is: old news, not the abuse coming back.
    last_seen = {found[0]: groups[g].last_seen for g, key in enumerate(keys)
                 if (found := open_cases.get(key)) is not None and found[1] == State.RESOLVED}
    still_resolved = set()
    for case in Case.objects.filter(pk__in=last_seen):
        if case.resolved_at is not None and last_seen[case.pk] <= case.resolved_at:
            still_resolved.add(case.pk)
            continue
        resolved_at = case.resolved_at
        transition(case, State.FORWARDED, label="system", reason="new report after the case was resolved")
        signals.case_reopened.send(sender=Case, case=case, resolved_at=resolved_at)
    # Existing open cases: count the reports, widen first/last seen. Those this
    # run opened itself (`own`, a feed's) are counted once, at its end.
    updates, late = [], []
    adapt = datetime_adapter()
    adapted_now = adapt(now)
    new = []
    own = own or set()
    for g, key in enumerate(keys):
        found = open_cases.get(key)
        if found is None:
            new.append(g)
            continue
        pk = found[0]
        group = groups[g]
        case_of[g] = pk
        if pk in still_resolved:  # not remembered in `known`: it is not joinable
            late.append((group.n, adapt(group.first_seen), adapt(group.last_seen), adapted_now, pk))
            result.updated_ids.append(pk)
            continue
        if pk in own:
            result.deferred.append((pk, group.n, group.first_seen, group.last_seen))
        else:
            updates.append((group.n, adapt(group.first_seen), adapt(group.last_seen), adapted_now, pk))
        result.updated_ids.append(pk)
        result.cases[key] = pk
    changed = add_counts(updates, where=JOINABLE)
    changed += add_counts(late, where=STILL_RESOLVED)
    # Only a case taken from `known` can have moved on (the rest are locked):
    # then the chunk is grouped again, and finds what became of it.
    if changed < len(updates) + len(late) or not all_joinable([pk for pk, *_counts in result.deferred]):
        raise StaleCases()
    result.case_of = case_of

    # New cases: one multi-row INSERT.
    if not new:
        return result
    caches.load_customers({keys[g][0] for g in new})
    # The reply tokens from one read of the system's random source, not one each.
    random = secrets.token_hex(12 * len(new))
    if openers is None:
        openers = [Opener(raw, sensitive, notice_hours)] * len(keys)
    values = [_new_case(openers[g].raw, keys[g], groups[g], caches, openers[g].sensitive, openers[g].notice_hours,
                        now, forward == IN_DIGEST, random[24 * i:24 * i + 24])
              for i, g in enumerate(new)]
    ids = insert_cases(values)
    hours_at, state_at = CASE_FIELDS.index("deadline_hours"), CASE_FIELDS.index("state")
    audits = []
    in_digest: set[int] = set()  # customers with a case opened forwarded
    shared: dict[tuple, dict] = {}  # equal audit data as one object: Inserter encodes it once a run
    for v, g, pk in zip(values, new, ids, strict=True):
        key = keys[g]
        opener = openers[g].raw
        reason = f"notice #{opener.pk}"
        case_of[g] = pk
        result.new_ids.append(pk)
        result.cases[key] = pk
        forwarded = v[state_at] == State.FORWARDED
        if forwarded:
            result.in_digest_ids.append(pk)
            in_digest.add(key[0])
            why = f"{reason}, forwarded to {caches.contact_of[key[0]]} (digest)"
        else:
            why = reason
        data = shared.get((opener.pk, v[hours_at], forwarded))
        if data is None:
            data = ({"raw_message": opener.pk, "deadline_hours": v[hours_at]}
                    | ({"forwarded": "digest"} if forwarded else {}))
            shared[(opener.pk, v[hours_at], forwarded)] = data
        audits.append(audit_row(pk, "created", now, to_state=v[state_at], reason=why, data=data))
    insert_audits(audits)
    if in_digest:  # held until the notice is done
        digests.hold_digests(raw, {c: (caches.contact_of[c], caches.entities[caches.entity_of[c]].abuse_email)
                                  for c in in_digest})
    sensitive_at = CASE_FIELDS.index("sensitive")
    for case in Case.objects.filter(pk__in=[pk for v, pk in zip(values, ids, strict=True) if v[sensitive_at]]):
        # New child abuse: the compliance team is told at once (reference and link only).
        signals.desk_attention.send(sender=Case, case=case, event="child_abuse", user=None)
    if forward == NOW:
        cases = Case.objects.select_related("customer", "entity").in_bulk(result.new_ids)
        for g in new:
            notify.forward_case(cases[case_of[g]], (members or {}).get(g, []))
    # else: the cases are committed with the chunk, their mails follow (see the module's docstring).
    log.info("notice #%s: %d new case(s), %d updated", raw.pk, len(values), len(updates))
    return result


def _open_cases(keys: list[tuple], groups: list[Group], known: dict[tuple, int]) -> dict[tuple, tuple]:
    """(customer, target, category) -> (id, state) of the open cases of these keys;
    a key in `known` is taken from there (state unknown, checked by the update)."""
    ip_targets, other_targets = set(), set()
    found: dict[tuple, tuple] = {}
    for key, group in zip(keys, groups, strict=True):
        if key in known:
            found[key] = (known[key], None)
            continue
        # The target is the host's address (target_of), and the case stores it as its ip too.
        target = key[1]
        (ip_targets if target == group.ip else other_targets).add(target)
    # An IP target is also the case's indexed ip column (feeds: thousands per chunk).
    wanted = set(keys)
    for column, targets in (("ip", ip_targets), ("target", other_targets)):
        for customer_id, target, category, *case in open_cases(column, targets):
            key = (customer_id, target, category)
            if key in wanted:
                found[key] = tuple(case)
    return found


def _new_case(raw, key, group: Group, caches: _Caches, sensitive, notice_hours, now: datetime, in_digest: bool,
              reply_token: str) -> tuple:
    """The CASE_FIELDS values of a new case."""
    customer_id, target, category = key
    # A notifier's shorter deadline applies only to a notice that proved it came from that notifier.
    hours = caches.deadline_hours(customer_id, category, notice_hours, raw.notifier if raw.trusted else None)
    received = raw.received_at
    forwarded = in_digest and bool(caches.contact_of[customer_id])
    # The clock starts when the notice reached us, not when we processed it.
    deadline, next_check_at = caches.schedule(received, hours, caches.entity_of[customer_id], category)
    values = {
        "reply_token": reply_token,
        "entity_id": caches.entity_of[customer_id],
        "customer_id": customer_id,
        "end_customer_id": group.end_customer_id,
        "assignment_id": group.assignment_id,
        "notifier_id": raw.notifier_id,
        "opened_by_id": raw.pk,
        "category": category,
        "target": target,
        "ip": group.ip,
        "url": group.url if target == group.url else "",
        "domain": group.domain,
        "state": State.FORWARDED if forwarded else State.NEW,
        "sensitive": sensitive or category == "csam",
        "law_enforcement": False,
        "received_at": received,
        "first_seen": group.first_seen,
        "last_seen": group.last_seen,
        "report_count": group.n,
        "deadline": deadline,
        "deadline_hours": hours,
        "next_check_at": next_check_at,
        "forwarded_at": now if forwarded else None,
        "deadline_pause_reason": "",
        "reminders_sent": 0,
        "resolution": "",
        "resolution_text": "",
        "close_reason": "",
        "created_at": now,
        "updated_at": now,
    }
    return _in_field_order(values)
