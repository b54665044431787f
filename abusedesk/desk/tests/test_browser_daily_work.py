"""In a real chromium, the desk's daily work: an unmatched notice turned into a case, another dismissed,
a case taken by its owner, and a search by the case reference."""

from pathlib import Path

from abusedesk.cases.models import Case
from abusedesk.intake.models import RawMessage
from abusedesk.intake.store import store_raw
from abusedesk.portal.tests import test_browser_flows as flows
from abusedesk.sweep import process_pending_raw

pytestmark = flows.pytestmark
browser_page = flows.browser_page  # the fixture
log_in, shot = flows.log_in, flows.shot

ARF = (Path(__file__).resolve().parents[2] / "demo" / "samples" / "01-arf-spam-customer-a.eml").read_bytes()


def _unmatched(ip: str, n: int) -> RawMessage:
    content = ARF.replace(b"198.51.100.42", ip.encode()).replace(b"0001@", f"{n:04d}@".encode())
    raw, _ = store_raw(content, RawMessage.Channel.SMTP, envelope_from="fbl@mailbox-provider.example", enqueue=False)
    process_pending_raw()
    raw.refresh_from_db()
    return raw


def test_unmatched_notices_are_worked_and_a_case_is_taken_and_found(browser_page, live_server):
    from abusedesk.demo import data

    data.load()
    page, base = browser_page, live_server.url
    first, second = _unmatched("192.0.2.91", 1), _unmatched("192.0.2.92", 2)
    assert first.needs_staff and second.needs_staff
    log_in(page, base, "desk", "desk-demo")

    # An unmatched notice becomes a case once staff name the offender.
    page.goto(f"{base}/desk/raw/{first.pk}/")
    page.fill("input[name=target]", "198.51.100.61")
    page.click("text=Make cases")
    process_pending_raw()
    case = Case.objects.get(ip="198.51.100.61")
    assert case.customer.reference == "customer-a"

    # Another is dismissed from the queue with a reason.
    page.goto(f"{base}/desk/queue/unmatched/")
    shot(page, "desk-unmatched-queue")
    page.check(f"input[name=raws][value='{second.pk}']")
    page.select_option("select[name=action]", "dismiss")
    page.select_option("select[name=reason]", "not_ours")
    page.click(".bulkbar button")
    second.refresh_from_db()
    assert second.dismiss_reason == "not_ours" and not second.needs_staff

    # The case is taken, and found again by its reference.
    page.goto(f"{base}/desk/cases/{case.pk}/")
    page.click("button:has-text('Take it')")
    case.refresh_from_db()
    assert case.owner.username == "desk"
    page.goto(f"{base}/desk/cases/?q={case.ref}")
    shot(page, "desk-search-by-reference")
    assert page.locator("table.list tbody tr").count() == 1 and case.ref in page.locator("table.list").inner_text()
