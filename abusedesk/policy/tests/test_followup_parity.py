"""The bulk and the one-at-a-time paths write the same rows for the same cases.

The follow-up sweep acts on a batch in bulk, and on each case alone after a
failed batch; bulk.transition_many() is transition() for a burst. Each
pair runs the same cases (rolled back in between) and every row is compared.
"""

from datetime import timedelta

import pytest
from django.db import transaction

from abusedesk.cases.bulk import transition_many
from abusedesk.cases.models import AuditLog, Case
from abusedesk.cases.states import State
from abusedesk.cases.workflow import transition
from abusedesk.lib import clock as clock_module
from abusedesk.policy.followup import follow_up_case, followup_due
from abusedesk.policy.pause import pause
from abusedesk.policy.schedule import PolicyCache
from testkit.pipeline import open_case

pytestmark = pytest.mark.django_db

CASE_FIELDS = ["state", "forwarded_at", "escalated_at", "resolved_at", "closed_at", "deadline", "reminders_sent",
               "next_check_at", "deadline_paused_at"]
AUDIT_FIELDS = ["case_id", "actor_label", "verb", "from_state", "to_state", "reason", "data", "at"]


def rows(pks):
    cases = list(Case.objects.filter(pk__in=pks).order_by("pk").values_list(*CASE_FIELDS))
    audit = list(AuditLog.objects.filter(case_id__in=pks).order_by("case_id", "at", "verb")
                 .values_list(*AUDIT_FIELDS))
    return cases, audit


def run_rolled_back(step, pks):
    """The rows `step` leaves, then the database as it was before it."""
    with transaction.atomic():
        step()
        result = rows(pks)
        transaction.set_rollback(True)
    return result


@pytest.fixture
def cases_at_every_step(demo, clock):
    """Cases of one notice moment whose check points have passed at different steps."""
    waiting = open_case("spam", "198.51.100.11")  # 48 h: nothing due after 13 h
    reminded = open_case("phishing", "198.51.100.12")  # 24 h: the 50 % reminder is due
    clock.advance(hours=-12)
    escalated = open_case("phishing", "198.51.100.13")  # opened 12 h earlier: past its deadline
    informational = open_case("vulnerable_service", "198.51.100.14")  # 72 h, informational
    clock.advance(hours=12)
    paused = open_case("phishing", "198.51.100.15")
    pause(paused, "force_majeure")
    Case.objects.filter(pk=informational.pk).update(deadline=clock.now, next_check_at=clock.now)
    Case.objects.filter(pk=paused.pk).update(next_check_at=clock.now)  # a stale point
    clock.advance(hours=13)
    return [c.pk for c in (waiting, reminded, escalated, informational, paused)]


def test_the_sweep_writes_the_same_rows_in_a_batch_and_one_case_at_a_time(cases_at_every_step):
    pks = cases_at_every_step
    now = clock_module.now()
    batch = run_rolled_back(followup_due, pks)
    one_by_one = run_rolled_back(lambda: [follow_up_case(pk, now, PolicyCache()) for pk in pks], pks)
    assert batch == one_by_one
    states = [row[0] for row in batch[0]]
    assert states == [State.FORWARDED, State.FORWARDED, State.ESCALATED, State.FORWARDED, State.FORWARDED]
    verbs = {row[2] for row in batch[1]}
    assert {"transition", "deadline_passed", "deadline_paused"} <= verbs


def test_a_burst_moves_cases_as_one_transition_at_a_time_does(demo, clock):
    pks = [open_case("phishing", f"198.51.100.{20 + i}").pk for i in range(3)]
    clock.advance(hours=30)
    many = run_rolled_back(lambda: transition_many(list(Case.objects.filter(pk__in=pks)), State.ESCALATED,
                                                   label="system", reason="deadline passed"), pks)
    single = run_rolled_back(lambda: [transition(case, State.ESCALATED, label="system", reason="deadline passed")
                                      for case in Case.objects.filter(pk__in=pks)], pks)
    assert many == single
    assert all(row[0] == State.ESCALATED and row[2] == clock.now for row in many[0])


def test_the_parity_rows_include_every_step_of_the_sweep(cases_at_every_step):
    # The fixture's cases do reach every decision (guards the test above against a vacuous pass).
    pks = cases_at_every_step
    cases, _audit = run_rolled_back(followup_due, pks)
    at = {name: CASE_FIELDS.index(name) for name in CASE_FIELDS}
    assert [row[at["next_check_at"]] is not None for row in cases] == [True, True, False, False, False]
    assert [row[at["reminders_sent"]] for row in cases] == [0, 1, 2, 2, 0]
    assert all(row[at["next_check_at"]] - clock_module.now() > timedelta(0) for row in cases[:2])
