"""End to end in a real chromium: the customer's and the desk's main flows.

Screenshots of the key pages go to test-artifacts/ (git-ignored).
"""

import os
import re
import shutil
from pathlib import Path

import pytest
from django.contrib.auth.models import User

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not (os.path.exists(CHROMIUM) or shutil.which("chromium")),
                       reason="needs Debian's chromium at /usr/bin/chromium (.ci/run installs it)"),
]


@pytest.fixture
def browser_page(live_server, transactional_db):
    # Playwright runs an event loop in this thread; the test's own ORM calls are synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM if os.path.exists(CHROMIUM) else shutil.which(
            "chromium"), args=ARGS)
        context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="en-GB")
        page = context.new_page()
        errors = []
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.errors = errors
        page.exceptions = []
        page.on("pageerror", lambda exc: page.exceptions.append(str(exc)))
        page.set_default_timeout(20000)
        yield page
        context.close()
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def shot(page, name):
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def log_in(page, base, username, password):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button.primary")
    page.wait_for_load_state("networkidle")


def test_customer_resolves_and_staff_restores_after_the_fix(browser_page, live_server):
    from abusedesk.demo import data
    from abusedesk.enforcement.actions import execute_due
    from abusedesk.enforcement.models import Action
    from testkit.orm import HOSTILE, make_case

    data.load()
    page, base = browser_page, live_server.url
    case = make_case("customer-a", ip="198.51.100.23", category="phishing",
                     evidence=f"Phishing kit at http://198.51.100.23/bank/login.php\n{HOSTILE}")
    make_case("customer-a", ip="198.51.100.24", category="spam", hours_left=2)
    make_case("customer-b", ip="198.51.100.150", category="malware")

    # Staff propose and approve a suspension; the sweep executes it.
    log_in(page, base, "desk", "desk-demo")
    assert "/desk/" in page.url
    shot(page, "desk-queues")
    page.goto(f"{base}/desk/cases/{case.pk}/")
    page.select_option("select[name=kind]", "suspend_service")
    page.fill("aside input[name=reason]", "phishing kit online, no reaction")
    page.click("text=Propose")
    # A second member of staff approves it (the proposer may not: four eyes on a restriction).
    User.objects.create_user("desk-second", password="desk-second-pass-1", is_staff=True)
    log_in(page, base, "desk-second", "desk-second-pass-1")
    page.goto(f"{base}/desk/cases/{case.pk}/")
    page.click("button:has-text('Approve')")
    assert execute_due() == 1
    case.refresh_from_db()
    assert case.state == "restricted"

    # The customer logs in, reads the case, writes in the thread and resolves it.
    log_in(page, base, "customer-a", "customer-a-demo")
    assert "/portal/" in page.url
    assert page.locator("text=AD-").count() >= 2 and "198.51.100.150" not in page.content()
    shot(page, "portal-cases")
    page.click(f"text={case.ref}")
    assert page.locator("#evidence pre.evidence").inner_text().count("<script>") == 1  # shown as text, not run
    shot(page, "portal-case-evidence")
    page.click("nav.tabs >> text=Communication")
    page.fill("textarea[name=body]", "We found a phishing kit in a customer's web space and removed it.")
    page.click("text=Send message")
    assert page.locator("ol.thread").inner_text().count("removed it") == 1
    shot(page, "portal-case-thread")
    page.click("nav.tabs >> text=Resolve")
    page.check("input[name=resolution][value=removed_content]")
    page.fill("#act textarea[name=text]", "Deleted /bank/ and changed the FTP password.")
    page.click("text=Mark as resolved")
    assert "resolved" in page.locator(".pagehead").inner_text().lower()
    shot(page, "portal-case-resolved")

    # Staff accept the solution; the restore runs and shows on the case.
    log_in(page, base, "desk", "desk-demo")
    page.goto(f"{base}/desk/cases/{case.pk}/")
    shot(page, "desk-case-resolved")
    page.click("text=Accept solution")
    assert execute_due() == 1
    restore = Action.objects.get(case=case, kind="restore")
    assert restore.state == "done"
    page.reload()
    actions = page.locator("ul.action-list").inner_text().lower()
    assert re.search(r"restore\s+done", actions), actions
    page.click("nav.tabs >> text=Timeline")
    shot(page, "desk-case-restored")
    assert not [e for e in page.errors if "Content Security Policy" in e], page.errors


def test_the_public_form_and_the_language_switch(browser_page, live_server):
    page, base = browser_page, live_server.url
    page.goto(f"{base}/report/")
    page.select_option("select[name=language]", "nl")
    page.wait_for_load_state("networkidle")
    shot(page, "public-form-nl")
    page.select_option("select[name=category]", "phishing")
    page.fill("textarea[name=locations]", "http://198.51.100.7/login")
    page.fill("textarea[name=explanation]", "Valse bankpagina.")
    page.fill("input[name=name]", "Pat")
    page.fill("input[name=email]", "pat@example.net")
    page.check("input[name=bona_fide]")
    page.click("button.primary")
    assert "N-" in page.content()
    shot(page, "public-form-receipt")
    assert not [e for e in page.errors if "Content Security Policy" in e], page.errors
