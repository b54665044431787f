"""The KPI dashboard in a real chromium: filters, tables from the KPI API, Chart.js charts, CSV links.

A screenshot goes to test-artifacts/ (git-ignored).
"""

from datetime import UTC, datetime

from abusedesk.portal.tests import test_browser_flows as flows

from .conftest import Builder

pytestmark = flows.pytestmark
page = flows.browser_page  # the shared chromium fixture, under this module's name
ARTIFACTS = flows.ARTIFACTS


def test_staff_filter_the_dashboard_and_read_the_figures(page, live_server):
    from django.contrib.auth.models import User

    User.objects.create_user("boss", password="boss-pass", is_staff=True)
    build = Builder()
    march = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
    build.case(entity="nl", category="phishing", received=march, deadline_h=24, resolved_h=2, state="resolved")
    build.case(entity="nl", category="phishing", received=march, deadline_h=24, resolved_h=30, state="resolved")
    build.case(entity="us", category="spam", received=march, deadline_h=48, restricted_h=50, state="restricted")

    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "boss")
    page.fill("input[name=password]", "boss-pass")
    page.click("button.primary")
    page.goto(f"{base}/desk/kpis/")
    page.fill("input[name=start]", "2025-01-01")
    page.fill("input[name=end]", "2025-12-31")
    page.click("#kpi-filters button[type=submit]")
    page.wait_for_selector("section[data-endpoint=by-category] table tbody tr")
    # The summary comes from its own request: wait for it, not only for the tables.
    page.wait_for_function("document.getElementById('kpi-compliance').textContent !== '…'")
    assert page.text_content("#kpi-compliance") == "33.3 %"
    assert page.text_content("#kpi-compliance-detail") == "1 / 3"
    rows = page.locator("section[data-endpoint=by-category] tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).locator("td").nth(0).text_content() == "phishing"
    assert rows.nth(0).locator("td").nth(2).text_content() == "50.0 %"
    page.wait_for_function("document.getElementById('chart-category').width > 0 && "
                           "!!Chart.getChart(document.getElementById('chart-category'))")
    csv = page.get_attribute("section[data-endpoint=by-entity] a.csv", "href")
    assert "format=csv" in csv and "start=2025-01-01" in csv

    # The entity filter narrows every table.
    page.select_option("select[name=entity]", "us")
    page.click("#kpi-filters button[type=submit]")
    page.wait_for_selector("section[data-endpoint=by-entity] table tbody tr")
    entities = page.locator("section[data-endpoint=by-entity] tbody tr td:first-child").all_text_contents()
    assert entities == ["us"]
    page.screenshot(path=str(ARTIFACTS / "kpi-dashboard.png"), full_page=True)
    assert page.exceptions == []  # no script error
    assert not [e for e in page.errors if "Content Security Policy" in e], page.errors
