import pytest
from django.contrib.auth.models import User

from abusedesk.cases.models import AuditLog, Message
from abusedesk.cases.services import (
    CaseworkError,
    accept_resolution,
    close,
    dispute,
    reject_dispute,
    reject_resolution,
    reopen,
    resolve,
)
from testkit.pipeline import open_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(demo):
    return User.objects.get(username="customer-a"), User.objects.get(username="desk")


def transitions(case):
    return list(AuditLog.objects.filter(case=case, verb="transition").values_list("to_state", "actor_label"))


def test_resolve_then_accept_closes_the_case_with_an_audit_trail(demo, clock, users):
    customer, desk = users
    case = open_case("phishing")
    clock.advance(hours=2)
    resolve(case, customer, "removed_content", "Removed the kit and rotated passwords")
    case.refresh_from_db()
    assert case.state == "resolved" and case.resolution == "removed_content"
    assert case.first_response_at == clock.now and case.next_check_at is None
    assert Message.objects.get(case=case).author_kind == "customer"
    accept_resolution(case, desk)
    case.refresh_from_db()
    assert case.state == "closed" and case.close_reason == "resolved"
    assert transitions(case) == [("forwarded", "system"), ("resolved", "customer-a"), ("closed", "desk")]


def test_dispute_stops_the_clock_and_reopen_gives_a_fresh_deadline(demo, clock, users):
    customer, desk = users
    case = open_case("spam")
    dispute(case, customer, "This IP is a mail relay of the notifier itself")
    case.refresh_from_db()
    assert case.state == "disputed" and case.next_check_at is None
    clock.advance(hours=100)
    with pytest.raises(CaseworkError):  # a dispute is answered with a reason the customer reads
        reopen(case, desk)
    reject_dispute(case, desk, "Dispute rejected: the spam came from your server")
    case.refresh_from_db()
    assert case.state == "forwarded"
    assert case.deadline == clock.now + __import__("datetime").timedelta(hours=48)
    assert case.next_check_at is not None


def test_a_rejected_solution_goes_back_to_the_customer(demo, clock, users):
    customer, desk = users
    case = open_case("malware")
    resolve(case, customer, "cleaned_server", "cleaned")
    reject_resolution(case, desk, "The sample is still served")
    case.refresh_from_db()
    assert case.state == "forwarded" and case.resolved_at is None


def test_the_helpers_refuse_what_the_state_machine_forbids(demo, clock, users):
    customer, desk = users
    case = open_case("malware")
    with pytest.raises(CaseworkError):
        accept_resolution(case, desk)
    with pytest.raises(CaseworkError):
        resolve(case, customer, "prayed", "")
    with pytest.raises(CaseworkError):
        dispute(case, customer, "  ")
    with pytest.raises(CaseworkError):
        close(case, desk, "bored")


def test_what_people_are_offered_is_what_the_state_machine_allows(demo, clock, users):
    from abusedesk.cases.services import offered
    from abusedesk.cases.states import TRANSITIONS, State

    case = open_case("phishing")
    for state in TRANSITIONS:
        case.state = state
        steps = offered(case)
        assert ("resolve" in steps) == (State.RESOLVED in TRANSITIONS[state])
        assert ("dispute" in steps) == (State.DISPUTED in TRANSITIONS[state])
        assert ("close" in steps) == (State.CLOSED in TRANSITIONS[state])
        assert ("reopen" in steps) == (State.FORWARDED in TRANSITIONS[state]
                                       and state not in (State.NEW, State.RESOLVED, State.DISPUTED))
        assert ("accept" in steps) == ("reject" in steps) == (state == State.RESOLVED)
