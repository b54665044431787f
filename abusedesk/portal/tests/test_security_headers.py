import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_every_page_has_a_strict_content_security_policy(alice, cases):
    for url in [reverse("portal:cases"), reverse("portal:case", args=[cases["a"].pk]), reverse("login"),
                reverse("notice-form")]:
        csp = alice.get(url)["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "object-src 'none'" in csp
        assert "frame-ancestors 'none'" in csp


def test_pages_have_no_inline_scripts_or_styles(alice, compliance, cases):
    import re

    pages = [alice.get(reverse("portal:case", args=[cases["a"].pk])), compliance.get(reverse("desk:queues")),
             compliance.get(reverse("desk:case", args=[cases["a"].pk]))]
    for page in pages:
        html = page.content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, tag
        assert " style=" not in html and "<style" not in html and " onclick=" not in html


def test_posts_without_a_csrf_token_are_refused(demo, cases):
    from django.contrib.auth.models import User

    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.get(username="customer-a"))
    response = client.post(reverse("portal:resolve", args=[cases["a"].pk]), {"resolution": "removed_content"})
    assert response.status_code == 403
    cases["a"].refresh_from_db()
    assert cases["a"].state == "forwarded"


def test_the_session_cookie_is_http_only(settings):
    assert settings.SESSION_COOKIE_HTTPONLY and settings.X_FRAME_OPTIONS == "DENY"
