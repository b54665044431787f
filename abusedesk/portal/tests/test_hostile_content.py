"""Hostile notices render as inert text everywhere."""

import pytest
from django.urls import reverse

from abusedesk.cases.models import Message
from testkit.orm import HOSTILE, make_case, raw_message

pytestmark = pytest.mark.django_db


def _assert_inert(html: str):
    for needle in ("<script>alert", "<img src=x", "<svg/onload", "<iframe", 'href="javascript:', "<style>body"):
        assert needle not in html, needle
    assert "&lt;script&gt;" in html


@pytest.fixture
def hostile_case(demo, clock):
    raw = raw_message(f"From: x@example.net\nSubject: {HOSTILE}\nContent-Type: text/html\n\n<html><body>{HOSTILE}"
                      f"<img src='http://tracker.example/p.gif'></body></html>\n".encode())
    case = make_case("customer-a", evidence=HOSTILE, url=f"http://198.51.100.9/{HOSTILE}", raw=raw)
    Message.objects.create(case=case, author_kind="notifier", channel="email", body=HOSTILE,
                           author_label=HOSTILE[:200], created_at=clock.now)
    return case


def test_the_portal_case_page_escapes_evidence_urls_and_messages(alice, hostile_case):
    _assert_inert(alice.get(reverse("portal:case", args=[hostile_case.pk])).content.decode())


def test_the_portal_list_escapes_targets(alice, hostile_case):
    html = alice.get(reverse("portal:cases")).content.decode()
    assert "<script>alert" not in html and "<iframe" not in html


def test_the_desk_case_and_raw_views_escape_everything(compliance, hostile_case):
    _assert_inert(compliance.get(reverse("desk:case", args=[hostile_case.pk])).content.decode())
    raw_id = hostile_case.reports.get().raw_message_id
    html = compliance.get(reverse("desk:raw", args=[raw_id])).content.decode()
    main = html.split("<main", 1)[1].split("</main>")[0]
    assert "<script" not in main and "<img" not in main and "<iframe" not in main and "<style" not in main
    assert "&lt;script&gt;" in main or "alert(&quot;x&quot;)" in main


def test_template_syntax_in_a_notice_is_not_evaluated(alice, hostile_case):
    html = alice.get(reverse("portal:case", args=[hostile_case.pk])).content.decode()
    assert "{{ 7*7 }}" in html or "{{ 7*7 }}".replace(" ", "") in html
