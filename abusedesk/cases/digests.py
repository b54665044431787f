"""Digests: one mail per customer and notice for a notice with many new cases.

A notice with many new cases (a feed: tens of thousands) is forwarded as one
digest mail per customer per notice instead of one mail per case.

- A feed's cases are opened forwarded (forwarding.IN_DIGEST), and the chunk
  that opens them inserts each customer's digest row for the notice, `held`
  and without text (hold_digests); later chunks and resumed runs find it there.
  The run that ends the notice (done, or given up as failed) releases them in
  one UPDATE (outbox.sending.release), and the outbox composes each when it
  sends it (compose_digest): composing 45,000 mails that SMTP sends over the
  next hours does not belong in the ingest. Held rows commit with their
  chunks, so a crash leaves nothing to recover.
- The new cases of a big notice that is not a feed, and cases that waited
  for a contact address, are still new: forward_digests composes their
  digests at once and moves the cases to forwarded, mails, state change and
  audit rows in one transaction, so a case is forwarded exactly once.
"""

import re
from functools import lru_cache

from django.conf import settings
from django.db import transaction
from django.utils import translation

from abusedesk.intake.models import RawMessage
from abusedesk.lib import clock
from abusedesk.lib.bulk import batched
from abusedesk.network.bulk import customer_rows
from abusedesk.network.models import Customer, Entity
from abusedesk.outbox.bulk import hold_rows, queue_rows
from abusedesk.outbox.models import OutgoingMail
from abusedesk.outbox.sending import NothingToSend
from abusedesk.policy.schedule import PolicyCache, check_point

from .bulk import first_ports, forward_many, new_by_customer, new_cases_to_forward
from .models import Case
from .notify import _language, render_mail, zone
from .states import State

DIGEST_MIN_CASES = 20  # a notice with more new cases than this is forwarded as digests
DIGEST_LINES = 500  # cases listed in one digest; the rest are in the portal
DIGEST_CUSTOMERS = 5000  # customers per transaction (forward_digests)
_HELD_KEY = re.compile(r"raw:(\d+):digest:(\d+)")
# Rendered once per language and entity with these markers, then filled in per
# customer: a Django template render per mail would cost more than the rest of the feed.
_MARKS = {name: f"\x00{name}\x00" for name in ("name", "count", "notice", "timezone", "lines", "more")}


class _DigestFrames:
    def __init__(self):
        self._frames: dict[tuple, tuple[str, str]] = {}
        self._labels: dict[str, dict[str, str]] = {}
        self._more: dict[str, str] = {}

    def frame(self, language: str, entity) -> tuple[str, str]:
        key = (language, entity.pk)
        if key not in self._frames:
            self._frames[key] = render_mail("digest", None, language, entity=entity, **_MARKS)
        return self._frames[key]

    def category(self, language: str, value: str) -> str:
        if language not in self._labels:
            with translation.override(language):
                self._labels[language] = {v: str(label) for v, label in Case._meta.get_field("category").choices}
        return self._labels[language].get(value, value)

    def more(self, language: str, n: int) -> str:
        if language not in self._more:
            with translation.override(language):
                self._more[language] = translation.gettext("... and %(n)s more, see the portal.")
        return self._more[language] % {"n": n} + "\n"


@lru_cache(maxsize=4096)
def _fmt(when, tz) -> str:
    # Cached: a notice's cases share one deadline, and its rows' times repeat.
    return when.astimezone(tz).strftime("%Y-%m-%d %H:%M") if when else "-"


def _notice_label(raw) -> str:
    return (raw.subject or raw.format or f"notice #{raw.pk}")[:200]


def _digest_text(frames: _DigestFrames, language: str, tz, entity, name: str, notice: str, rows,
                 ports: dict[int, int]) -> tuple[str, str]:
    """(subject, body) of a digest listing `rows`, (id, category, target, first seen, deadline)
    in id order: a line each, at most DIGEST_LINES of them. `ports`: the port a case's line shows."""
    lines = []
    for pk, category, target, first_seen, deadline in rows[:DIGEST_LINES]:
        port = ports.get(pk)
        lines.append(f"AD-{pk:06d} | {frames.category(language, category)} | {target} | "
                     f"{port if port is not None else '-'} | {_fmt(first_seen, tz)} | {_fmt(deadline, tz)}")
    more = frames.more(language, len(rows) - DIGEST_LINES) if len(rows) > DIGEST_LINES else ""
    subject, body = frames.frame(language, entity)
    fill = {"name": name, "count": str(len(rows)), "notice": notice, "timezone": str(tz),
            "lines": "\n".join(lines), "more": more}
    for key, mark in _MARKS.items():
        subject = subject.replace(mark, fill[key])
        body = body.replace(mark, fill[key])
    return subject, body


def held_digest_key(raw_id: int, customer_id: int) -> str:
    """The dedupe key of a feed notice's digest to a customer: one per notice and customer."""
    return f"raw:{raw_id}:digest:{customer_id}"


def hold_digests(raw, customers: dict[int, tuple[str, str]]) -> None:
    """Insert notice `raw`'s held digest for each of `customers` (id -> (to, reply-to)) that has
    none yet, in one statement: in the transaction of the chunk that opened their cases."""
    now, raw_id, sender, held = clock.now(), raw.pk, settings.DEFAULT_FROM_EMAIL, OutgoingMail.State.HELD
    headers = {"X-Abusedesk-Notice": str(raw_id)}  # one object: Inserter encodes it once
    hold_rows(
        (held_digest_key(raw_id, customer_id), "digest", raw_id, to, sender, reply_to or "", "", "", headers, held,
         now, now, "", "", "")
        for customer_id, (to, reply_to) in sorted(customers.items()))


def compose_digest(mail) -> tuple[str, str]:
    """(subject, body) of a held digest, when the outbox sends it (outbox.sending.COMPOSERS):
    the cases its notice opened for the customer, in the customer's language and time zone.
    A case still new is not listed: it was not forwarded (no contact address then) and
    goes out with the sweep's forward_new_cases."""
    match = _HELD_KEY.fullmatch(mail.dedupe_key)
    if match is None:
        raise NothingToSend(f"not a notice's digest: {mail.dedupe_key}")
    customer_id = int(match[2])
    raw = RawMessage.objects.filter(pk=mail.notice_id).only("pk", "subject", "format").first()
    if raw is None:
        raise NothingToSend(f"notice #{match[1]} was deleted")
    # Through the (customer, state) index: a customer's cases are few next to a feed's.
    rows = list(Case.objects.filter(customer_id=customer_id, opened_by_id=raw.pk).exclude(state=State.NEW)
                .order_by("id").values_list("id", "entity_id", "category", "target", "first_seen", "deadline"))
    customer = Customer.objects.filter(pk=customer_id).values_list("name", "language", "timezone").first()
    if not rows or customer is None:
        raise NothingToSend(f"no case of customer #{customer_id} from notice #{raw.pk} is left to list")
    name, language, tz = customer
    listed = [(pk, category, target, first_seen, deadline) for pk, _e, category, target, first_seen, deadline in rows]
    return _digest_text(_DigestFrames(), _language(language), zone(tz), Entity.objects.get(pk=rows[0][1]), name,
                        _notice_label(raw), listed, first_ports([row[0] for row in listed[:DIGEST_LINES]]))


def forward_digests(raw, case_ids) -> int:
    """Forward the new cases `case_ids` of notice `raw` as one digest per customer; returns
    how many cases were forwarded. Cases of a customer without a contact address stay new
    (their deadline still escalates them to the desk); cases no longer new are skipped."""
    by_customer = new_by_customer(case_ids)
    frames, policies = _DigestFrames(), PolicyCache()
    done = 0
    for customers in batched(sorted(by_customer), DIGEST_CUSTOMERS):
        with transaction.atomic():
            batch = {c: sorted(by_customer[c]) for c in customers}
            done += _digest_batch(raw, batch, frames, policies)
    return done


def _digest_batch(raw, by_customer: dict[int, list[int]], frames: _DigestFrames, policies) -> int:
    ids = [pk for pks in by_customer.values() for pk in pks]
    cases = new_cases_to_forward(ids)
    if not cases:
        return 0
    ports = first_ports(ids)
    # Plain rows, not model instances: a digest batch has thousands of customers.
    customers = {pk: (name, language, tz, Customer.contact_of(abuse, main))
                 for pk, name, language, tz, abuse, main in customer_rows(
                     by_customer, "name", "language", "timezone", "abuse_email", "main_email")}
    entities = Entity.objects.in_bulk({row[2] for row in cases.values()})
    notice = _notice_label(raw)
    headers = {"X-Abusedesk-Notice": str(raw.pk)}  # one object: Inserter encodes it once
    now = clock.now()
    mails, reasons = [], {}
    forwarded: dict[object, list[int]] = {}  # next_check_at -> case ids
    listed = 0
    for customer_id, pks in by_customer.items():
        name, language, tz, to = customers.get(customer_id, ("", "", "", ""))
        rows = [cases[pk] for pk in pks if pk in cases]
        if not rows or not to:
            continue
        listed += len(rows)
        entity = entities[rows[0][2]]
        subject, body = _digest_text(frames, _language(language), zone(tz), entity, name, notice,
                                     [(pk, category, target, first_seen, deadline)
                                      for pk, _c, _e, category, target, first_seen, deadline, _h in rows], ports)
        first = rows[0][0]
        # The first case's id makes the key unique should the same customer get
        # more new cases from this notice later (a contact address added after).
        mails.append((f"raw:{raw.pk}:digest:{customer_id}:{first}"[:200], "digest", None, to,
                      settings.DEFAULT_FROM_EMAIL, entity.abuse_email or "", subject[:500], body,
                      headers, now, now, "", "", ""))
        reason = f"notice forwarded to {to} (digest)"
        for pk, _c, entity_id, category, _t, _f, deadline, hours in rows:
            points, informational = policies.get(entity_id, category)
            next_at = check_point(deadline, hours, points, 0, informational) if deadline else None
            forwarded.setdefault(next_at, []).append(pk)
            reasons[pk] = reason
    queue_rows(mails)
    forward_many(forwarded, now, reasons)
    return listed
