"""In a real chromium: a phone-width layout, form errors that are seen, and every language on screen."""

import pytest

from . import test_browser_flows as flows

pytestmark = flows.pytestmark
browser_page = flows.browser_page  # the fixture
log_in, shot = flows.log_in, flows.shot


def switch(page, language):
    with page.expect_navigation():
        page.select_option("select[name=language]", language)


def overflow(page) -> int:
    """Pixels by which the page is wider than the window (a table may scroll inside itself)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_the_portal_and_the_desk_fit_a_390_pixel_phone(browser_page, live_server):
    from abusedesk.demo import data
    from testkit.orm import make_case

    data.load()
    page, base = browser_page, live_server.url
    case = make_case("customer-a", ip="198.51.100.23", category="phishing",
                     evidence="http://198.51.100.23/a-very-long-path/" + "x" * 300)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, base, "customer-a", "customer-a-demo")
    for path, name in [("/portal/", "phone-portal-cases"), (f"/portal/cases/{case.pk}/", "phone-portal-case")]:
        page.goto(base + path)
        shot(page, name)
        assert overflow(page) <= 0, path
    log_in(page, base, "desk", "desk-demo")
    for path, name in [("/desk/", "phone-desk-queues"), (f"/desk/cases/{case.pk}/", "phone-desk-case")]:
        page.goto(base + path)
        shot(page, name)
        assert overflow(page) <= 0, path


def test_a_resolve_form_sent_back_with_errors_opens_on_its_tab_with_a_banner(browser_page, live_server):
    from abusedesk.demo import data
    from testkit.orm import make_case

    data.load()
    page, base = browser_page, live_server.url
    case = make_case("customer-a", ip="198.51.100.24", category="spam")
    log_in(page, base, "customer-a", "customer-a-demo")
    page.goto(f"{base}/portal/cases/{case.pk}/")
    page.click("nav.tabs >> text=Resolve")
    page.check("input[name=resolution][value=other]")
    page.click("text=Mark as resolved")  # "other" needs a description: the server sends the form back
    assert page.locator(".banner.warning").is_visible()
    assert page.locator("#act").is_visible() and page.locator("#act .errorlist").is_visible()
    shot(page, "portal-resolve-error")


@pytest.mark.parametrize("language", ["nl", "de"])
def test_the_main_pages_speak_dutch_and_german(browser_page, live_server, language):
    from abusedesk.demo import data
    from testkit.orm import make_case

    data.load()
    page, base = browser_page, live_server.url
    case = make_case("customer-b", ip="198.51.100.150", category="malware")
    log_in(page, base, "desk", "desk-demo")
    switch(page, language)
    page.goto(f"{base}/desk/cases/{case.pk}/")
    text = page.locator("main").inner_text()
    shot(page, f"desk-case-{language}")
    assert ("Tijdlijn" if language == "nl" else "Zeitachse") in text
    assert "customer_replied" not in text and "action_proposed" not in text
    log_in(page, base, "customer-b", "customer-b-demo")
    switch(page, language)
    page.goto(f"{base}/portal/cases/{case.pk}/")
    shot(page, f"portal-case-{language}")
    assert ("Bewijs" if language == "nl" else "Nachweise") in page.locator("main").inner_text()


def test_the_api_documentation_renders_from_our_own_files_under_the_csp(browser_page, live_server):
    from abusedesk.demo import data

    data.load()
    page, base = browser_page, live_server.url
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    log_in(page, base, "desk", "desk-demo")
    page.goto(f"{base}/api/v1/docs/")
    page.wait_for_selector("text=/api/v1/cases/", timeout=20_000)
    shot(page, "api-docs")
    assert all(url.startswith(base) or url.startswith("data:") for url in requested), requested
    assert not [e for e in page.errors if "Content Security Policy" in e and "script" in e], page.errors
