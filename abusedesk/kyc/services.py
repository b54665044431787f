"""What people do in KYC, for the API, the desk and the commands alike.

    submit_order(entity, fields, user)        → Order, screened on arrival
    rescreen(order)                            → Order with fresh signals
    approve(order, user, note)                 → Customer (+ KYC profile, portal user invitation)
    reject(order, user, reason, note)          → Order rejected with the reason
    ask_info(order, user, note)                → Order waiting (questionnaire link when required)
    add_watch_entry(fields, user)              → entry; existing customers that match get a review
    open_review(customer, reason, ...)         → Review (at most one open per customer and cause)
    close_review(review, user, acted, note)

Every decision is in the audit log (cases.AuditLog, subject "kyc-order:<id>").
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.text import slugify

from abusedesk.cases.audit import audit
from abusedesk.lib import clock
from abusedesk.lib.roles import is_kyc
from abusedesk.network.invitations import InvitationError, invite_user
from abusedesk.network.models import Customer, Entity

from . import matching, questionnaires, screening
from .models import QUESTIONNAIRE_TYPES, Order, Profile, Questionnaire, Review, WatchListEntry


class DecisionError(Exception):
    """The decision cannot be taken (one line for the desk and the API)."""


def _kyc_staff(user) -> None:
    if not is_kyc(user):
        raise PermissionDenied("KYC decisions need a staff user with the kyc role")


def rescreen(order: Order) -> Order:
    order.risk_score, order.risk_level, order.signals = screening.screen(order)
    order.screened_at = clock.now()
    order.save(update_fields=["risk_score", "risk_level", "signals", "screened_at"])
    return order


@transaction.atomic
def submit_order(entity: Entity, fields: dict, user=None) -> Order:
    order = Order.objects.create(entity=entity, submitted_by=user, created_at=clock.now(), **fields)
    rescreen(order)
    audit(None, "kyc_order_received", user=user, label="" if user else "system", subject=f"kyc-order:{order.pk}",
          data={"risk_score": order.risk_score, "risk_level": order.risk_level, "signals": order.signal_codes})
    if order.business_type in QUESTIONNAIRE_TYPES:
        questionnaires.request(order=order)
    return order


def open_questionnaire(order: Order) -> Questionnaire | None:
    """The order's questionnaire still to be answered (for its link), if any. Uses
    `order.requested_questionnaires` when the caller prefetched it (api.OrderViewSet)."""
    requested = getattr(order, "requested_questionnaires", None)
    if requested is None:
        requested = order.questionnaires.filter(state=Questionnaire.State.REQUESTED).order_by("-requested_at")
    now = clock.now()
    return next((q for q in requested if q.expires_at > now), None)


def _decidable(order: Order) -> Order:
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.state not in (Order.State.REVIEW, Order.State.INFO_REQUESTED):
        raise DecisionError(f"order {order.pk} is already {order.state}")
    return order


def _reference_for(order: Order) -> str:
    base = slugify(order.company_name)[:80] or "customer"
    reference, n = base, 1
    while Customer.objects.filter(reference=reference).exists():
        n += 1
        reference = f"{base}-{n}"
    return reference


def approve(order: Order, user, note: str = "") -> Customer:
    """Create the customer with its KYC profile and invite its first portal user."""
    _kyc_staff(user)
    with transaction.atomic():
        order = _decidable(order)
        customer = Customer.objects.create(
            entity=order.entity, reference=_reference_for(order), name=order.company_name,
            main_email=order.email, is_reseller=order.business_type == "reseller", language=order.language)
        Profile.objects.create(
            customer=customer, business_type=order.business_type, registration_number=order.registration_number,
            email=order.email, phone=order.phone, website=order.website,
            payment_fingerprint=order.payment_fingerprint, signup_ip=order.signup_ip)
        # Answers given for the order now belong to the customer (yearly re-request, hash-check status).
        order.questionnaires.update(customer=customer)
        if order.questionnaires.filter(state=Questionnaire.State.ACCEPTED, answers__hashcheck_used=True).exists():
            Profile.objects.filter(customer=customer).update(hashcheck_confirmed_at=clock.now())
        order.state, order.customer = Order.State.APPROVED, customer
        order.decided_at, order.decided_by, order.decision_note = clock.now(), user, note
        order.save(update_fields=["state", "customer", "decided_at", "decided_by", "decision_note"])
        audit(None, "kyc_order_approved", user=user, reason=note, subject=f"kyc-order:{order.pk}",
              data={"customer": customer.reference, "risk_score": order.risk_score})
        try:
            invite_user(order.email, customer=customer, language=order.language)
        except InvitationError as exc:  # rolls the approval back: no customer without its user
            raise DecisionError(f"cannot invite {order.email}: {exc}") from None
    return customer


def reject(order: Order, user, reason: str, note: str = "") -> Order:
    _kyc_staff(user)
    if reason not in Order.RejectReason.values:
        raise DecisionError(f"unknown reject reason {reason!r}")
    with transaction.atomic():
        order = _decidable(order)
        order.state, order.reject_reason = Order.State.REJECTED, reason
        order.decided_at, order.decided_by, order.decision_note = clock.now(), user, note
        order.save(update_fields=["state", "reject_reason", "decided_at", "decided_by", "decision_note"])
        audit(None, "kyc_order_rejected", user=user, reason=note, subject=f"kyc-order:{order.pk}",
              data={"reject_reason": reason})
    return order


def ask_info(order: Order, user, note: str) -> Order:
    """Ask the would-be customer for more: the note goes into the audit log; a business type that
    needs the questionnaire gets a fresh link if it has none open."""
    _kyc_staff(user)
    if not note.strip():
        raise DecisionError("say what information is missing")
    with transaction.atomic():
        order = _decidable(order)
        order.state, order.decision_note = Order.State.INFO_REQUESTED, note
        order.save(update_fields=["state", "decision_note"])
        audit(None, "kyc_order_info_requested", user=user, reason=note, subject=f"kyc-order:{order.pk}")
        if order.business_type in QUESTIONNAIRE_TYPES and open_questionnaire(order) is None:
            questionnaires.request(order=order, user=user)
    return order


def answers_arrived(q: Questionnaire) -> None:
    """An order waiting for information goes back to review when its questionnaire is answered."""
    if q.order_id:
        Order.objects.filter(pk=q.order_id, state=Order.State.INFO_REQUESTED).update(state=Order.State.REVIEW)


def open_review(customer: Customer, reason: str, *, evidence=(), watch_entry=None, label="system") -> Review | None:
    """Open a KYC review of an existing customer, unless one for the same cause is open."""
    with transaction.atomic():
        if Review.objects.filter(customer=customer, reason=reason, watch_entry=watch_entry,
                                 state=Review.State.OPEN).exists():
            return None
        review = Review.objects.create(customer=customer, reason=reason, watch_entry=watch_entry,
                                       evidence=list(evidence), opened_at=clock.now())
        audit(None, "kyc_review_opened", label=label, subject=f"customer:{customer.pk}",
              data={"review": review.pk, "reason": reason, "evidence": list(evidence)})
    return review


def close_review(review: Review, user, acted: bool, note: str) -> Review:
    _kyc_staff(user)
    with transaction.atomic():
        updated = Review.objects.filter(pk=review.pk, state=Review.State.OPEN).update(
            state=Review.State.ACTED if acted else Review.State.CLEARED, closed_at=clock.now(), closed_by=user,
            note=note)
        if not updated:
            raise DecisionError(f"review {review.pk} is already closed")
        review.refresh_from_db()
        audit(None, "kyc_review_closed", user=user, reason=note, subject=f"customer:{review.customer_id}",
              data={"review": review.pk, "state": review.state})
    return review


def screen_customers_against(entry: WatchListEntry) -> int:
    """Every customer still with us (including resellers' end customers) that matches the entry
    gets a review. Returns how many reviews were opened."""
    party = screening.watch_party(entry)
    opened = 0
    customers = (Customer.objects.exclude(state=Customer.State.TERMINATED).select_related("kyc_profile")
                 .order_by("pk"))
    for customer in customers.iterator(chunk_size=500):
        evidence, _strong = matching.compare(screening.customer_party(customer), party)
        if evidence and open_review(customer, Review.Reason.WATCH_LIST, evidence=evidence, watch_entry=entry):
            opened += 1
    return opened


def add_watch_entry(fields: dict, user=None) -> tuple[WatchListEntry, int]:
    """Add an entry and screen the existing customers against it: (entry, reviews opened)."""
    with transaction.atomic():
        entry = WatchListEntry.objects.create(created_by=user, created_at=clock.now(), **fields)
        audit(None, "kyc_watch_list_added", user=user, label="" if user else "system",
              subject=f"kyc-watch:{entry.pk}", data={"name": entry.name, "source": entry.source})
        opened = screen_customers_against(entry)
    return entry, opened
