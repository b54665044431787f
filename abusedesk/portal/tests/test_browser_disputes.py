"""In a real chromium: disputes (DSA Art 20) decided at the desk, a restriction disputed from the
portal, and a staff reply that reaches the customer by mail."""

from django.contrib.auth.models import User

from abusedesk.cases import services as casework
from abusedesk.cases.states import State
from abusedesk.enforcement.actions import execute_due
from abusedesk.enforcement.models import Action
from abusedesk.outbox.models import OutgoingMail

from . import test_browser_flows as flows

pytestmark = flows.pytestmark
browser_page = flows.browser_page  # the fixture
log_in, shot = flows.log_in, flows.shot


def _demo():
    from abusedesk.demo import data

    data.load()


def _dispute_in_the_portal(page, base, case, text):
    log_in(page, base, "customer-a", "customer-a-demo")
    page.goto(f"{base}/portal/cases/{case.pk}/")
    page.click("nav.tabs >> text=Resolve")
    page.click("details.dispute summary")
    page.fill("details.dispute textarea[name=text]", text)
    page.click("text=Send dispute")
    assert page.locator(".messages, .banner").first.is_visible()


def test_staff_reject_a_dispute_and_the_customer_gets_the_reason_and_a_new_deadline(browser_page, live_server):
    from testkit.orm import make_case

    _demo()
    page, base = browser_page, live_server.url
    case = make_case("customer-a", ip="198.51.100.31", category="spam")
    _dispute_in_the_portal(page, base, case, "These are our own opt-in newsletters.")
    case.refresh_from_db()
    assert case.state == State.DISPUTED

    log_in(page, base, "desk", "desk-demo")
    page.goto(f"{base}/desk/cases/{case.pk}/")
    page.fill("form[data-dispute=reject] input[name=note]", "The recipients never opted in.")
    shot(page, "desk-dispute-decision")
    page.click("button:has-text('Reject dispute')")
    assert "Dispute rejected" in page.locator("main").inner_text()
    case.refresh_from_db()
    assert case.state == State.FORWARDED
    mail = OutgoingMail.objects.get(case=case, kind="dispute_decision")
    assert "never opted in" in mail.body


def test_staff_uphold_a_dispute_and_the_case_closes(browser_page, live_server):
    from testkit.orm import make_case

    _demo()
    page, base = browser_page, live_server.url
    case = make_case("customer-a", ip="198.51.100.32", category="spam")
    _dispute_in_the_portal(page, base, case, "Not our server any more.")
    log_in(page, base, "desk", "desk-demo")
    page.goto(f"{base}/desk/cases/{case.pk}/")
    page.fill("form[data-dispute=uphold] input[name=note]", "The address was reassigned.")
    page.click("button:has-text('Uphold dispute')")
    case.refresh_from_db()
    assert (case.state, case.close_reason) == (State.CLOSED, "dispute_upheld")
    assert "reassigned" in OutgoingMail.objects.get(case=case, kind="dispute_decision").body


def test_a_restricted_customer_disputes_the_restriction_from_the_portal(browser_page, live_server):
    from testkit.orm import make_case

    _demo()
    page, base = browser_page, live_server.url
    case = make_case("customer-a", ip="198.51.100.33", category="phishing")
    desk = User.objects.get(username="desk")
    action = casework.propose_action(case, Action.Kind.NULL_ROUTE, desk, "kit online")
    casework.approve_action(action, User.objects.create_user("desk-2", password="x-desk-2-pass", is_staff=True))
    execute_due()
    case.refresh_from_db()
    assert case.state == State.RESTRICTED
    log_in(page, base, "customer-a", "customer-a-demo")
    page.goto(f"{base}/portal/cases/{case.pk}/")
    page.click("nav.tabs >> text=Resolve")
    page.click("text=Dispute this restriction")
    page.fill("details.dispute textarea[name=text]", "It was our own phishing training.")
    shot(page, "portal-dispute-restriction")
    page.click("text=Send dispute")
    case.refresh_from_db()
    assert case.state == State.DISPUTED
    assert case.audit.get(verb="dispute").data == {"restricted": True}


def test_a_staff_reply_in_the_thread_is_mailed_to_the_customer(browser_page, live_server):
    from testkit.orm import make_case

    _demo()
    page, base = browser_page, live_server.url
    case = make_case("customer-a", ip="198.51.100.34", category="spam")
    log_in(page, base, "desk", "desk-demo")
    page.goto(f"{base}/desk/cases/{case.pk}/")
    page.click("nav.tabs >> text=Thread")
    page.fill("#thread textarea[name=body]", "Which script sends these mails?")
    page.click("#thread button:has-text('Send')")
    mail = OutgoingMail.objects.get(case=case, kind="staff_reply")
    assert "Which script sends these mails?" in mail.body
    assert mail.to == case.customer.contact_email


def test_the_proposer_cannot_approve_a_null_route_and_a_second_member_of_staff_can(browser_page, live_server):
    from testkit.orm import make_case

    _demo()
    page, base = browser_page, live_server.url
    case = make_case("customer-a", ip="198.51.100.35", category="phishing")
    User.objects.create_user("desk-second", password="desk-second-pass-1", is_staff=True)
    log_in(page, base, "desk", "desk-demo")
    page.goto(f"{base}/desk/cases/{case.pk}/")
    page.select_option("select[name=kind]", "null_route")
    page.fill("aside input[name=reason]", "phishing kit online")
    page.click("text=Propose")
    page.click("button:has-text('Approve')")
    assert "Someone other than the proposer must approve this action." in page.locator("main").inner_text()
    shot(page, "desk-second-approver-refused")
    assert Action.objects.get(case=case).state == "proposed"
    log_in(page, base, "desk-second", "desk-second-pass-1")
    page.goto(f"{base}/desk/cases/{case.pk}/")
    page.click("button:has-text('Approve')")
    action = Action.objects.get(case=case)
    assert action.state == "approved" and action.approved_by.username == "desk-second"
