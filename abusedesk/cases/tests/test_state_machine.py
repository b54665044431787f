from datetime import timedelta

import pytest

from abusedesk.cases.states import OPEN_STATES, TRANSITIONS, State, TransitionError
from abusedesk.cases.workflow import transition
from testkit.orm import make_case

pytestmark = pytest.mark.django_db


def test_every_state_has_its_transitions_declared():
    assert set(TRANSITIONS) == set(State.values)
    for targets in TRANSITIONS.values():
        assert targets <= set(State.values)


def test_closed_is_the_only_state_that_is_not_open():
    assert set(State.values) - OPEN_STATES == {"closed"}


def test_a_transition_is_audited_with_who_when_and_why(demo, clock, django_user_model):
    case = make_case(category="spam", ip="198.51.100.10", state="new", report=False)
    desk = django_user_model.objects.get(username="desk")

    transition(case, State.FORWARDED, user=desk, reason="sent to abuse contact")

    entry = case.audit.get()
    assert (entry.from_state, entry.to_state, entry.actor, entry.reason) == (
        "new", "forwarded", desk, "sent to abuse contact")
    assert entry.at == clock.now
    assert case.forwarded_at == clock.now


def test_a_forbidden_transition_raises_and_changes_nothing(demo):
    case = make_case(category="spam", ip="198.51.100.10", state="new", report=False)

    with pytest.raises(TransitionError):
        transition(case, State.RESOLVED)

    case.refresh_from_db()
    assert case.state == "new"
    assert not case.audit.exists()


def test_resolving_stamps_the_end_of_uptime(demo, clock):
    case = make_case(category="spam", ip="198.51.100.10", report=False, opened_hours_ago=0)
    clock.advance(hours=3)

    transition(case, State.RESOLVED, reason="removed")

    assert case.resolved_at == clock.now
    assert case.uptime.total_seconds() == 3 * 3600
    assert case.met_deadline is True


def test_reopening_a_resolved_case_clears_its_resolution_time(demo):
    case = make_case(category="spam", ip="198.51.100.10", report=False, opened_hours_ago=0)
    transition(case, State.RESOLVED)

    transition(case, State.FORWARDED, reason="abuse is back")

    assert case.resolved_at is None
    assert [a.to_state for a in case.audit.all()] == ["resolved", "forwarded"]


def test_two_open_cases_for_the_same_target_cannot_exist(demo):
    from django.db import IntegrityError, transaction

    make_case(category="spam", ip="198.51.100.10", state="new", report=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_case(category="spam", ip="198.51.100.10", state="new", report=False)
    make_case(category="phishing", ip="198.51.100.10", state="new", report=False)  # another category is another case


def test_a_restriction_ends_the_uptime_of_a_case_never_resolved(demo, clock):
    # docs/reports.md: uptime ends at the takedown, the first of resolved_at and restricted_at.
    case = make_case(category="spam", ip="198.51.100.10", report=False, opened_hours_ago=0)
    case.restricted_at = clock.now + timedelta(hours=5)
    assert case.uptime.total_seconds() == 5 * 3600
    case.resolved_at = clock.now + timedelta(hours=7)
    assert case.uptime.total_seconds() == 5 * 3600
