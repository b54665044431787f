"""A deterministic year of history for the demo: notices arrive over the last 365 days and
each case lives its life through the real functions (intake, grouping, follow-up sweep,
workflow, enforcement), each at its own moment of a controlled clock (lib.clock).

The same seed gives the same notices and the same fates; the dates are relative to the
day setup-demo runs, so the dashboard always shows the last twelve months.
"""

import heapq
import json
import logging
import random
from datetime import datetime, timedelta
from itertools import count

from django.contrib.auth.models import User
from django.db import transaction

from abusedesk.cases import services
from abusedesk.cases.models import Case, Report
from abusedesk.cases.states import State
from abusedesk.demo import data
from abusedesk.enforcement import actions
from abusedesk.intake.models import Notifier, RawMessage
from abusedesk.intake.processing import process_raw_message
from abusedesk.intake.store import store_raw
from abusedesk.lib import clock
from abusedesk.network.models import Assignment, Customer, Entity
from abusedesk.outbox.models import OutgoingMail
from abusedesk.policy import followup
from abusedesk.policy import pause as tco

SEED = 14
DAYS = 365
SWEEP_EVERY = timedelta(hours=12)  # escalation up to 12 h after a deadline: enough for a demo
# Addresses history uses: the demo assignments' (data.ASSIGNMENTS) apart from those the sample
# notices, the docs and the tests name, and a US customer's 192.0.2.0/24 (both entities report).
_NAMED = {2, 3, 5, 7, 10, 11, 12, 13, 14, 15, 17, 20, 21, 23, 24, 30, 31, 40, 41, 42, 43, 44, 45, 50, 51, 61, 66,
          67, 77, 78, 82, 88, 90, 99, 111, 120, 130, 140, 141, 150, 200, 201, 240, 250}
ADDRESSES = ([f"198.51.100.{i}" for i in range(1, 255) if i not in _NAMED and i != 128]
             + [f"203.0.113.{i}" for i in range(1, 255) if i not in _NAMED and i != 128]
             + [f"192.0.2.{i}" for i in range(1, 255)]
             + [f"2001:db8:100::{i:x}" for i in range(0x100, 0x200)])
US_CUSTOMER = ("history-us-1", "Example Cloud Customer Inc.", "192.0.2.0/24")
# category: (weight, notifier name)
CATEGORIES = {
    "spam": (18, "Example Mail FBL"),
    "phishing": (12, "Example Brand Protection"),
    "malware": (8, "Example Trusted Flagger"),
    "botnet": (6, "Example Trusted Flagger"),
    "scanning": (10, "Example Security Researcher"),
    "brute_force": (8, "Example Security Researcher"),
    "ddos": (3, "Example Security Researcher"),
    "copyright": (8, "Example Brand Protection"),
    "fraud": (4, "Example Brand Protection"),
    "vulnerable_service": (10, "Shadowserver Foundation"),
    "csam": (2, "Example Child Abuse Hotline"),
    "terrorism": (1, "Example Police Cybercrime Unit"),
    "blocklist": (3, "Example Mail FBL"),
    "other": (2, "Example Security Researcher"),
}
EXTRA_NOTIFIERS = [
    dict(name="Example Trusted Flagger", kind="trusted_flagger", email="flags@flagger.example", trusted=True),
    dict(name="Example Brand Protection", kind="organisation", email="takedowns@brand.example", trusted=True),
    dict(name="Example Security Researcher", kind="person", email="researcher@mail.example", trusted=True),
]
TCO_ORDER = """From: Internet Referral Unit <tco-orders@police.example>
To: abuse@hosting-nl.example
Subject: REMOVAL ORDER under Regulation (EU) 2021/784 - ref {ref}
Message-ID: <{ref}@police.example>
Content-Type: text/plain; charset=utf-8

REMOVAL ORDER (Article 3 of Regulation (EU) 2021/784, terrorist content online)

Section A: Issuing competent authority
Name of the competent authority: National Internet Referral Unit, Example Police
Reference number: {ref}
Date and time of issuing: {issued}

Section B: Content to be removed within one hour
URL and any additional information enabling the identification and exact location of the content reported:
http://{ip}/media/{ref}.html

Section C: Statement of reasons
Reasons: The content glorifies a terrorist attack (Article 2(7)(a)).
"""


class History:
    def __init__(self, cases: int, end: datetime):
        self.rnd = random.Random(SEED)
        self.cases = cases
        self.end = end
        self.start = end - timedelta(days=DAYS)
        self.queue, self.seq = [], count()
        self.staff = User.objects.get(username="desk")
        # Restrictions need a second member of staff to approve them (enforcement.ApprovalPolicy).
        self.approver, created = User.objects.get_or_create(username="desk-approver",
                                                            defaults={"is_staff": True})
        if created:
            self.approver.set_unusable_password()
            self.approver.save(update_fields=["password"])
        self.notifiers = {n.name: n for n in Notifier.objects.all()}
        self.made = {"notices": 0, "cases": 0, "removal_orders": 0}

    def at(self, when: datetime, step, *args) -> None:
        if when < self.end:
            heapq.heappush(self.queue, (when, next(self.seq), step, args))

    def run(self, progress=None) -> dict:
        self._plan()
        sweep = self.start
        while sweep < self.end:
            self.at(sweep, self._sweep)
            sweep += SWEEP_EVERY
        total = len(self.queue)
        done = 0
        while self.queue:
            when, _, step, args = heapq.heappop(self.queue)
            clock.freeze(when)
            step(*args)
            done += 1
            if progress and done % 500 == 0:
                progress(done, total)
        clock.freeze(None)
        # The history's mails were "sent" in the past: the demo's worker must not send them now.
        OutgoingMail.objects.filter(state=OutgoingMail.State.QUEUED, created_at__lte=self.end).update(
            state=OutgoingMail.State.SENT, sent_at=self.end)
        return self.made

    # --- the plan: when each notice arrives ------------------------------------------------------

    def _plan(self) -> None:
        names = list(CATEGORIES)
        weights = [CATEGORIES[c][0] for c in names]
        for i in range(self.cases):
            when = self.start + timedelta(seconds=self.rnd.uniform(0, DAYS * 86400))
            category = self.rnd.choices(names, weights)[0]
            ip = self.rnd.choice(ADDRESSES)
            self.at(when, self._notice, i, category, ip, self.rnd.random(), self.rnd.random())
        for n in range(6):  # a few TCO removal orders
            when = self.start + timedelta(days=30 + n * 55, hours=self.rnd.uniform(8, 20))
            self.at(when, self._removal_order, n, f"203.0.113.{250 - n}", self.rnd.random())

    # --- steps, each at its own moment -------------------------------------------------------------

    def _sweep(self) -> None:
        followup.followup_due()  # restrictions are executed where they are approved (_restrict)

    def _notice(self, i, category, ip, fate, speed) -> None:
        notifier = self.notifiers[CATEGORIES[category][1]]
        body = {"category": category, "ip": ip, "observed_at": clock.now().isoformat(),
                "evidence": f"Demo history notice {i}: {category} seen on {ip}.", "reference": f"hist-{i}"}
        raw, created = store_raw(json.dumps(body).encode(), "api", notifier=notifier, trusted=True, enqueue=False)
        if not created:
            return
        process_raw_message(raw.pk)
        self.made["notices"] += 1
        case = Case.objects.filter(reports__raw_message=raw).first()
        if case is None or case.report_count > 1:
            return  # joined an open case: that case already has its fate
        self.made["cases"] += 1
        self._fate(case, fate, speed)

    def _removal_order(self, n, ip, fate) -> None:
        ref = f"IRU-DEMO-{n + 1:03d}"
        content = TCO_ORDER.format(ref=ref, ip=ip, issued=clock.now().isoformat()).encode()
        raw, created = store_raw(content, "smtp", envelope_from="tco-orders@police.example",
                                 notifier=self.notifiers["Example Police Cybercrime Unit"], trusted=True,
                                 enqueue=False)
        if not created:
            return
        # The demo has no MTA to prove the sender: staff confirmed the order with the unit, as they
        # would an unproven mail naming a trusted authority (intake.trust), and released it.
        RawMessage.objects.filter(pk=raw.pk).update(review=RawMessage.Review.RELEASED)
        process_raw_message(raw.pk)
        self.made["removal_orders"] += 1
        for case in Case.objects.filter(opened_by=raw):
            # Staff confirm the order's receipt to the authority and record its member state (DSA Art 9(1)).
            Case.objects.filter(pk=case.pk).update(order_member_state="NL",
                                                   order_acknowledged_at=clock.now() + timedelta(minutes=8))
            if fate < 0.3:  # insufficient information: paused, clarified two hours later, then removed
                self.at(clock.now() + timedelta(minutes=20), self._pause, case.pk)
                self.at(clock.now() + timedelta(hours=2, minutes=20), self._resume, case.pk)
                self.at(clock.now() + timedelta(hours=2, minutes=50), self._resolve, case.pk)
            else:
                self.at(clock.now() + timedelta(minutes=20 + 80 * fate), self._resolve, case.pk)
            self.at(clock.now() + timedelta(hours=6), self._accept, case.pk)

    def _fate(self, case: Case, fate: float, speed: float) -> None:
        """What happens to a new case: resolved early or late, disputed, restricted, not ours, never."""
        now, hours = clock.now(), case.deadline_hours or 48
        if case.category == "vulnerable_service":
            if fate < 0.5:
                self.at(now + timedelta(hours=hours * (0.2 + speed)), self._resolve, case.pk)
                self.at(now + timedelta(hours=hours * (0.3 + speed)), self._accept, case.pk)
            return
        if fate < 0.50:  # resolved before the deadline
            self.at(now + timedelta(hours=hours * (0.05 + 0.9 * speed)), self._resolve, case.pk)
            self.at(now + timedelta(hours=hours * (1.0 + speed)), self._accept, case.pk)
        elif fate < 0.66:  # resolved late (escalated by the sweep first)
            self.at(now + timedelta(hours=hours * (1.2 + 2 * speed)), self._resolve, case.pk)
            self.at(now + timedelta(hours=hours * (3.5 + speed)), self._accept, case.pk)
        elif fate < 0.74:  # restricted by us after the deadline; most resolve later and are restored
            self.at(now + timedelta(hours=hours * 1.5 + 2), self._restrict, case.pk)
            if speed < 0.7:
                self.at(now + timedelta(hours=hours * 3 + 24 * speed), self._resolve, case.pk)
                self.at(now + timedelta(hours=hours * 3 + 24 * speed + 4), self._accept, case.pk)
        elif fate < 0.80:  # disputed: upheld or rejected by staff
            self.at(now + timedelta(hours=hours * 0.3), self._dispute, case.pk)
            if speed < 0.4:
                self.at(now + timedelta(hours=hours * 0.3 + 6), self._close, case.pk, Case.CloseReason.DISPUTE_UPHELD)
            else:
                self.at(now + timedelta(hours=hours * 0.3 + 10), self._reopen, case.pk)
                self.at(now + timedelta(hours=hours * 0.3 + 10 + hours * 0.5), self._resolve, case.pk)
                self.at(now + timedelta(hours=hours * 0.3 + 10 + hours * 0.6), self._accept, case.pk)
        elif fate < 0.84:
            self.at(now + timedelta(hours=2 + 20 * speed), self._close, case.pk, Case.CloseReason.NOT_OURS)
        elif fate < 0.88:  # resolved, and the abuse came back: reopened, then resolved for good
            self.at(now + timedelta(hours=hours * 0.3), self._resolve, case.pk)
            self.at(now + timedelta(hours=hours * 0.3 + 24), self._reopen, case.pk)
            self.at(now + timedelta(hours=hours * 0.3 + 24 + hours * 0.5), self._resolve, case.pk)
            self.at(now + timedelta(hours=hours * 0.3 + 24 + hours * 0.6), self._accept, case.pk)
        # else: never resolved (still escalated, or forwarded while its deadline runs)

    def _case(self, pk):
        return Case.objects.select_related("customer", "entity", "notifier").get(pk=pk)

    def _customer_user(self, case):
        return case.customer.users.first() or self.staff

    def _resolve(self, pk) -> None:
        case = self._case(pk)
        if case.state in (State.RESOLVED, State.CLOSED, State.NEW):
            return
        services.resolve(case, self._customer_user(case), Case.Resolution.REMOVED_CONTENT,
                         "Removed; the account was secured.")

    def _accept(self, pk) -> None:
        case = self._case(pk)
        if case.state == State.RESOLVED:
            services.accept_resolution(case, self.staff, "solution checked")

    def _dispute(self, pk) -> None:
        case = self._case(pk)
        if case.state in (State.FORWARDED, State.CUSTOMER_REPLIED, State.ESCALATED):
            services.dispute(case, self._customer_user(case),
                             "This address is a shared proxy; the report is about another site.")

    def _close(self, pk, reason) -> None:
        case = self._case(pk)
        if case.state != State.CLOSED:
            services.close(case, self.staff, reason, note="checked by the desk")

    def _reopen(self, pk) -> None:
        case = self._case(pk)
        if case.state == State.DISPUTED:
            services.reject_dispute(case, self.staff, "the abuse is still online")
        elif case.state == State.RESOLVED:
            services.reject_resolution(case, self.staff, "the abuse is still online")

    def _restrict(self, pk) -> None:
        case = self._case(pk)
        if case.state != State.ESCALATED or not case.ip:
            return
        with transaction.atomic():
            action = services.propose_action(case, "null_route", self.staff, "no reaction after the deadline")
            services.approve_action(action, self.approver)
        actions.execute_due()

    def _pause(self, pk) -> None:
        tco.pause(self._case(pk), "insufficient_information", user=self.staff,
                        note="the order does not identify the exact content")

    def _resume(self, pk) -> None:
        tco.resume(self._case(pk), user=self.staff, note="the authority clarified the location")


def _us_customer() -> None:
    reference, name, prefix = US_CUSTOMER
    customer, _ = Customer.objects.get_or_create(
        reference=reference, defaults=dict(name=name, entity=Entity.objects.get(code="us"), language="en",
                                           timezone="America/New_York", abuse_email="abuse@cloud-customer.example"))
    if not Assignment.objects.filter(prefix=prefix, valid_to__isnull=True).exists():
        Assignment.objects.create(prefix=prefix, customer=customer, valid_from=data.SINCE, service_ref="srv-us-1")


def build(cases: int = 2000, end: datetime | None = None, progress=None) -> dict:
    """Build the history once (a second setup-demo finds it and adds nothing)."""
    for spec in EXTRA_NOTIFIERS:
        Notifier.objects.get_or_create(name=spec["name"], defaults=spec)
    _us_customer()
    if Report.objects.filter(raw_message__notifier__name="Example Security Researcher").exists():
        return {"notices": 0, "cases": 0, "removal_orders": 0}
    # Every notice, mail and (log-only) null route of a year logged would bury setup-demo's output.
    quiet = [logging.getLogger(name) for name in ("abusedesk", "celery")]
    levels = [logger.level for logger in quiet]
    for logger in quiet:
        logger.setLevel(logging.ERROR)
    try:
        return History(cases, end or clock.now()).run(progress)
    finally:
        for logger, level in zip(quiet, levels, strict=True):
            logger.setLevel(level)
