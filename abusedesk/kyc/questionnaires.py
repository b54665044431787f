"""Questionnaires for higher-risk business types (vpn, cloud_storage, ugc_platform, reseller).

The would-be customer answers through a link signed with django.core.signing (no
account needed); the link carries only the questionnaire id and expires after
KYC_QUESTIONNAIRE_DAYS. Staff review the answers; an accepted questionnaire is asked
again after KYC_REREQUEST_DAYS (a year by default).
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from abusedesk.cases.audit import audit
from abusedesk.lib import clock
from abusedesk.outbox.sending import queue_mail

from .models import HASHCHECK_TYPES, QUESTIONNAIRE_TYPES, Order, Profile, Questionnaire

SALT = "abusedesk.kyc.questionnaire"


def token_for(questionnaire: Questionnaire) -> str:
    return signing.dumps({"q": questionnaire.pk}, salt=SALT, compress=True)


def url_for(questionnaire: Questionnaire) -> str:
    return settings.SITE_URL + reverse("kyc:questionnaire", args=[token_for(questionnaire)])


def from_token(token: str) -> Questionnaire | None:
    """The questionnaire of a link, or None if the link is forged, expired, unknown or its order rejected."""
    try:
        data = signing.loads(token, salt=SALT, max_age=timedelta(days=settings.KYC_QUESTIONNAIRE_DAYS))
    except signing.BadSignature:  # SignatureExpired is a BadSignature too
        return None
    q = Questionnaire.objects.filter(pk=data.get("q")).select_related("order", "customer").first()
    if q is None or q.expires_at < clock.now():
        return None
    if q.order_id and q.customer_id is None and q.order.state == Order.State.REJECTED:
        return None  # nothing left to ask a rejected order
    return q


def request(*, order: Order | None = None, profile: Profile | None = None, user=None) -> Questionnaire:
    """Open a questionnaire for an order or an existing customer, and mail the link."""
    now = clock.now()
    business_type = order.business_type if order else profile.business_type
    customer = profile.customer if profile else None
    with transaction.atomic():
        q = Questionnaire.objects.create(
            order=order, customer=customer, business_type=business_type, requested_at=now,
            expires_at=now + timedelta(days=settings.KYC_QUESTIONNAIRE_DAYS))
        to = order.email if order else (profile.email or customer.contact_email)
        language = order.language if order else customer.language
        name = order.company_name if order else customer.name
        with translation.override(language):
            body = render_to_string("kyc/mail/questionnaire.txt", {"name": name, "url": url_for(q),
                                                                    "expires_at": q.expires_at})
            subject = render_to_string("kyc/mail/questionnaire_subject.txt", {"name": name}).strip()
        if to:
            queue_mail(dedupe_key=f"kyc-questionnaire:{q.pk}", kind="kyc_questionnaire", to=to, subject=subject,
                       body=body)
        audit(None, "kyc_questionnaire_requested", user=user, label="" if user else "system",
              subject=f"kyc-questionnaire:{q.pk}", data={"order": order.pk if order else None,
                                                         "customer": customer.pk if customer else None})
    return q


def questions_for(business_type: str) -> dict:
    """Which optional parts of the form apply."""
    return {"hashcheck": business_type in HASHCHECK_TYPES, "ptr": business_type == "vpn"}


def answer(q: Questionnaire, answers: dict) -> Questionnaire:
    with transaction.atomic():
        q = Questionnaire.objects.select_for_update().get(pk=q.pk)
        if q.state != Questionnaire.State.REQUESTED:
            return q
        q.answers, q.answered_at, q.state = answers, clock.now(), Questionnaire.State.ANSWERED
        q.save(update_fields=["answers", "answered_at", "state"])
        audit(None, "kyc_questionnaire_answered", label="questionnaire link", subject=f"kyc-questionnaire:{q.pk}")
    return q


def review(q: Questionnaire, user, accept: bool, note: str = "") -> Questionnaire:
    """Staff accept or reject the answers. Accepting a HashCheckService confirmation records it
    on the customer's profile (the obligation is then confirmed for a year)."""
    now = clock.now()
    with transaction.atomic():
        q.state = Questionnaire.State.ACCEPTED if accept else Questionnaire.State.REJECTED
        q.reviewed_at, q.reviewed_by, q.review_note = now, user, note
        q.save(update_fields=["state", "reviewed_at", "reviewed_by", "review_note"])
        if accept and q.customer_id and q.business_type in HASHCHECK_TYPES and q.answers.get("hashcheck_used"):
            Profile.objects.filter(customer_id=q.customer_id).update(hashcheck_confirmed_at=now)
        audit(None, "kyc_questionnaire_reviewed", user=user, reason=note, subject=f"kyc-questionnaire:{q.pk}",
              data={"accepted": accept})
    return q


def rerequest_due(limit: int = 100) -> int:
    """Sweep step: customers of a questionnaire type whose last accepted answers are older than
    KYC_REREQUEST_DAYS, and who have no questionnaire open, are asked again."""
    now = clock.now()
    cutoff = now - timedelta(days=settings.KYC_REREQUEST_DAYS)
    S = Questionnaire.State
    current = Questionnaire.objects.filter(
        Q(customer=OuterRef("customer")) | Q(order__customer=OuterRef("customer"))
    ).filter(Q(state=S.REQUESTED, expires_at__gt=now) | Q(state=S.ANSWERED)
             | Q(state=S.ACCEPTED, answered_at__gt=cutoff))
    profiles = (Profile.objects.filter(business_type__in=QUESTIONNAIRE_TYPES, customer__state="active")
                .exclude(Exists(current)).select_related("customer").order_by("pk")[:limit])
    n = 0
    for profile in profiles:
        request(profile=profile)
        n += 1
    return n
