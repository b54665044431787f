"""The customer sees the notice itself, redacted: not who sent it, nothing about other customers,
never a child-abuse notice."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from abusedesk.cases.models import Case
from abusedesk.intake.models import RawMessage
from abusedesk.intake.store import store_raw
from abusedesk.sweep import process_pending_raw

pytestmark = pytest.mark.django_db(transaction=True)

NOTICE = b"""From: Jan Jansen <jan.jansen@isp.example>
To: abuse@hosting-nl.example
Subject: SSH brute force from your network
Date: Sat, 21 Nov 2026 10:00:00 +0100
Message-ID: <bf-1@isp.example>
Content-Type: text/plain; charset=utf-8

Hello,

the following hosts of yours attacked our SSH servers (times UTC):

2026-11-21 08:12:01 198.51.100.42 -> 192.0.2.10:22 failed password for root
2026-11-21 08:13:44 198.51.100.150 -> 192.0.2.10:22 failed password for admin

Please stop this.

Jan Jansen
Security team, ISP Example
Tel: +31 20 123 4567
"""


def page_for(client, username, case):
    client.force_login(User.objects.get(username=username))
    return client.get(reverse("portal:case", args=[case.pk])).content.decode()


def test_each_customer_sees_its_own_lines_and_not_the_sender_nor_the_other_customer(client, demo):
    store_raw(NOTICE.replace(b"\n", b"\r\n"), RawMessage.Channel.SMTP, envelope_from="jan.jansen@isp.example",
              enqueue=False)
    process_pending_raw()
    mine = Case.objects.get(ip="198.51.100.42")
    theirs = Case.objects.get(ip="198.51.100.150")
    page = page_for(client, "customer-a", mine)
    assert "198.51.100.42 -&gt; 192.0.2.10:22 failed password for root" in page
    assert "198.51.100.150" not in page and "another customer was removed" in page
    assert "jan.jansen@isp.example" not in page and "Jan Jansen" not in page and "123 4567" not in page
    other = page_for(client, "customer-b", theirs)
    assert "198.51.100.150 -&gt;" in other and "198.51.100.42" not in other


def test_a_child_abuse_case_never_shows_the_notice(client, demo):
    from testkit.orm import make_case

    case = make_case("customer-a", ip="198.51.100.60", category="csam", sensitive=True)
    page = page_for(client, "customer-a", case)
    assert 'id="notice"' not in page
