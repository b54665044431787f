"""The KPI API and the desk pages: staff only, filters checked, JSON and CSV, in the OpenAPI schema."""

import pytest
from django.contrib.auth.models import User

from .conftest import T0


@pytest.fixture
def staff(db):
    return User.objects.create_user("staff", password="x", is_staff=True)


@pytest.fixture
def customer_user(db):
    return User.objects.create_user("cust", password="x")


ENDPOINTS = ["summary", "by-entity", "by-category", "trend", "open", "top-notifiers", "top-customers"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_customer_user_and_an_anonymous_caller_get_no_kpis(client, customer_user, endpoint):
    assert client.get(f"/api/v1/kpis/{endpoint}/").status_code in (401, 403)
    client.force_login(customer_user)
    assert client.get(f"/api/v1/kpis/{endpoint}/").status_code == 403


def test_the_desk_pages_are_not_shown_to_customers(client, customer_user):
    client.force_login(customer_user)
    assert client.get("/desk/kpis/").status_code == 404
    assert client.get("/desk/transparency/?year=2025&format=json&language=en").status_code == 404


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_staff_get_every_endpoint_as_json_and_csv(client, staff, build, endpoint):
    from abusedesk.intake.models import Notifier

    notifier = Notifier.objects.create(name="Example Feed", kind="feed")
    build.case(resolved_h=2, state="resolved", forwarded_h=0.1, notifier=notifier)
    client.force_login(staff)
    query = "start=2025-01-01&end=2025-12-31"
    response = client.get(f"/api/v1/kpis/{endpoint}/?{query}")
    assert response.status_code == 200, response.content
    assert response.json()["period"] == {"start": "2025-01-01T00:00:00+00:00", "end": "2026-01-01T00:00:00+00:00"}
    csv = client.get(f"/api/v1/kpis/{endpoint}/?{query}&format=csv")
    assert csv.status_code == 200
    assert csv["Content-Type"].startswith("text/csv")
    assert len(csv.content.decode().splitlines()) >= 2


def test_the_summary_answers_the_definitions(client, staff, build):
    build.case(resolved_h=2, deadline_h=24, state="resolved", forwarded_h=0.5)
    build.case(restricted_h=4, deadline_h=1, state="restricted", forwarded_h=0.5)
    client.force_login(staff)
    body = client.get("/api/v1/kpis/summary/?start=2025-03-01&end=2025-03-01").json()
    assert body["compliance_rate"] == {"value": 0.5, "decided": 2, "within": 1}
    assert body["uptime_hours"] == {"n": 2, "median": 2.0, "p90": 4.0, "mean": 3.0}
    assert body["time_to_forward_hours"]["median"] == 0.5
    assert body["cases"]["opened"] == 2


def test_the_by_category_csv_has_one_column_per_figure(client, staff, build):
    build.case(category="phishing", resolved_h=2, deadline_h=24, state="resolved")
    client.force_login(staff)
    lines = client.get("/api/v1/kpis/by-category/?start=2025-01-01&end=2025-12-31&format=csv").content.decode()
    header, row = lines.splitlines()[:2]
    assert header.startswith("category,cases,compliance_rate.value,compliance_rate.decided")
    assert row.startswith("phishing,1,1.0,1,1,1,2.0,2.0,2.0")


def test_filters_narrow_the_figures(client, staff, build):
    build.case(entity="nl", category="spam")
    build.case(entity="us", category="phishing")
    client.force_login(staff)
    base = "/api/v1/kpis/summary/?start=2025-01-01&end=2025-12-31"
    assert client.get(base).json()["cases"]["opened"] == 2
    assert client.get(base + "&entity=us").json()["cases"]["opened"] == 1
    assert client.get(base + "&category=spam,phishing").json()["cases"]["opened"] == 2
    assert client.get(base + "&category=spam&entity=us").json()["cases"]["opened"] == 0


@pytest.mark.parametrize("query, field", [
    ("start=yesterday", "start"), ("end=2025-13-01", "end"), ("entity=nope", "entity"),
    ("category=weather", "category"), ("start=2025-02-01&end=2025-01-01", "start"),
])
def test_bad_filters_get_a_clear_400(client, staff, build, query, field):
    client.force_login(staff)
    response = client.get(f"/api/v1/kpis/summary/?{query}")
    assert response.status_code == 400
    assert field in response.json()


def test_the_trend_interval_is_checked(client, staff, build):
    client.force_login(staff)
    assert client.get("/api/v1/kpis/trend/?interval=decade").status_code == 400
    assert client.get("/api/v1/kpis/trend/?interval=month").json()["interval"] == "month"


def test_the_kpi_endpoints_are_in_the_openapi_schema(client, staff):
    client.force_login(staff)
    schema = client.get("/api/v1/schema/?format=json").json()
    for endpoint in ENDPOINTS:
        assert f"/api/v1/kpis/{endpoint}/" in schema["paths"]


def test_staff_see_the_dashboard_and_make_the_report(client, staff, build):
    build.case(received=T0, resolved_h=2, state="resolved")
    client.force_login(staff)
    page = client.get("/desk/kpis/?entity=nl")
    assert page.status_code == 200
    assert b"chart.umd.js" in page.content and b'data-query="entity=nl"' in page.content
    assert client.get("/desk/transparency/").status_code == 200
    preview = client.get("/desk/transparency/?year=2025&language=nl&format=html")
    assert preview.status_code == 200
    assert "script-src" not in preview["Content-Security-Policy"]
    assert b"Transparantieverslag 2025" in preview.content
    download = client.get("/desk/transparency/?year=2025&language=en&format=json")
    assert download["Content-Disposition"] == 'attachment; filename="transparency-2025-en.json"'
    assert download.json()["cases"]["opened"] == 1
    bad = client.get("/desk/transparency/?year=1800&language=en&format=json")
    assert bad.status_code == 200 and b"errorlist" in bad.content
