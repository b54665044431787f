"""The provider's public face for abuse: a page per sales entity (where and how to report,
the acceptable use policy, the deadlines it keeps) and /.well-known/security.txt.

The Dutch code of conduct on combating abuse asks providers to publish their abuse
contacts; RFC 9116 says where machines look for them.
"""

from datetime import timedelta

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import cache_control

from abusedesk.cases.models import CATEGORY_CHOICES
from abusedesk.lib import clock
from abusedesk.network.models import Entity
from abusedesk.policy.deadlines import deadline_hours

# security.txt must expire within a year (RFC 9116 2.5.5); served fresh, it never goes stale.
SECURITY_TXT_VALID = timedelta(days=180)


def entity_page(request, code):
    entity = get_object_or_404(Entity, code=code)
    deadlines = [(label, deadline_hours(entity, category)) for category, label in CATEGORY_CHOICES]
    return render(request, "intake/entity_public.html", {
        "entity": entity, "deadlines": deadlines, "form_url": reverse("notice-form"),
        "intake_url": settings.SITE_URL + reverse("api-intake"),
    })


@cache_control(max_age=3600, public=True)
def security_txt(request):
    entities = list(Entity.objects.all())
    contacts = [f"mailto:{e.abuse_email}" for e in entities] or [f"mailto:{settings.DEFAULT_FROM_EMAIL}"]
    lines = [f"Contact: {c}" for c in dict.fromkeys(contacts)]
    lines.append(f"Contact: {settings.SITE_URL}{reverse('notice-form')}")
    lines.append(f"Expires: {(clock.now() + SECURITY_TXT_VALID).strftime('%Y-%m-%dT%H:%M:%SZ')}")
    lines.append("Preferred-Languages: en, nl, de")
    lines.append(f"Canonical: {settings.SITE_URL}/.well-known/security.txt")
    if entities:
        lines.append(f"Policy: {settings.SITE_URL}{reverse('entity-public', args=[entities[0].code])}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
