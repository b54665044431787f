"""`POST /api/v1/inventory/events/`: a billing or shop system pushes customer and assignment
changes as they happen, signed like our enforcement webhooks (lib.signatures).

The body is one event or `{"events": [...]}`; all of a request's events are applied or
none. Events:

| event                   | fields                                                                 |
|-------------------------|------------------------------------------------------------------------|
| `customer.upsert`       | `customer`: {reference, name, entity, abuse_email, main_email, language, timezone, parent, state} |
| `customer.suspend`      | `reference`                                                            |
| `customer.reactivate`   | `reference`                                                            |
| `customer.terminate`    | `reference`, `at` (optional): its open assignments close at `at`       |
| `assignment.assign`     | `prefix`, `customer`, `end_customer`, `service_ref`, `at` (optional)   |
| `assignment.release`    | `prefix`, `at` (optional)                                              |
"""

import json
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from abusedesk.lib import clock
from abusedesk.lib.signatures import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify

from . import inventory
from .customer_import import COLUMNS, CustomerImporter
from .models import Assignment, Customer

MAX_EVENTS = 1000
MAX_BYTES = 5 * 1024 * 1024
# A backdated change may correct the record of the last days; older history is an import's job.
MAX_BACKDATE = timedelta(days=31)


class EventError(ValueError):
    pass


def _at(event: dict) -> datetime:
    text = event.get("at")
    if text in (None, ""):
        return clock.now()
    try:
        at = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        raise EventError(f"'at' is not an ISO 8601 time: {text!r}") from None
    if at.tzinfo is None:
        raise EventError("'at' needs a time zone (e.g. 2026-12-01T10:00:00Z)")
    now = clock.now()
    if at > now + timedelta(minutes=5) or at < now - MAX_BACKDATE:
        raise EventError(f"'at' must be between {MAX_BACKDATE.days} days ago and now")
    return at


def _text(event: dict, key: str) -> str:
    value = event.get(key)
    if not isinstance(value, str) or not value.strip():
        raise EventError(f"'{key}' is required (a string)")
    return value.strip()


def _customer(reference: str) -> Customer:
    customer = Customer.objects.filter(reference=reference).first()
    if customer is None:
        raise EventError(f"no customer {reference!r}")
    return customer


def apply_event(event) -> str:
    """Apply one event; the line that says what was done."""
    if not isinstance(event, dict):
        raise EventError("an event is a JSON object")
    kind = event.get("event")
    if kind == "customer.upsert":
        row = event.get("customer")
        if not isinstance(row, dict):
            raise EventError("'customer' must be an object")
        values = {k: "" if v is None else str(v).strip() for k, v in row.items() if k in COLUMNS}
        result = CustomerImporter().import_rows([("customer", values)])
        if result.rejected:
            raise EventError(result.errors[0])
        return f"customer {values.get('reference')}: " + ("created" if result.created else "updated"
                                                            if result.updated else "unchanged")
    if kind in ("customer.suspend", "customer.reactivate", "customer.terminate"):
        customer = _customer(_text(event, "reference"))
        state = {"customer.suspend": Customer.State.SUSPENDED, "customer.reactivate": Customer.State.ACTIVE,
                 "customer.terminate": Customer.State.TERMINATED}[kind]
        customer.state = state
        customer.save(update_fields=["state"])
        if kind == "customer.terminate":
            held = list(Assignment.objects.filter(customer=customer, valid_to__isnull=True)
                        .values_list("prefix", flat=True))
            result = inventory.apply([], held, at=_at(event), source="billing")
            return f"customer {customer.reference}: terminated, {result.closed} assignments closed"
        return f"customer {customer.reference}: {state}"
    if kind == "assignment.assign":
        holding = inventory.Holding(_text(event, "prefix"), _text(event, "customer"),
                                    str(event.get("service_ref") or ""), str(event.get("end_customer") or ""))
        result = inventory.apply([holding], [], at=_at(event), source="billing")
        if result.errors:
            raise EventError(result.errors[0])
        return f"assignment {holding.prefix}: " + ("assigned" if result.opened else "unchanged")
    if kind == "assignment.release":
        prefix = _text(event, "prefix")
        result = inventory.apply([], [prefix], at=_at(event), source="billing")
        return f"assignment {prefix}: " + ("released" if result.closed else "was not held")
    raise EventError(f"unknown event {kind!r}")


class InventoryEventsView(APIView):
    """Customer and assignment changes from a billing system, signed with HMAC-SHA256
    (headers `X-Abusedesk-Timestamp`, `X-Abusedesk-Signature: sha256=<hex of "<timestamp>.<body>">`,
    secret ABUSEDESK_INVENTORY_WEBHOOK_SECRET)."""

    authentication_classes = []  # the signature is the credential
    permission_classes = [permissions.AllowAny]
    parser_classes = []  # the signature covers the raw body: read it, not a parsed copy
    throttle_classes = []

    @extend_schema(request={"application/json": OpenApiTypes.OBJECT},
                   responses={200: OpenApiResponse(description='{"applied": ["..."]}'),
                              400: OpenApiResponse(description='{"detail", "event"}: nothing was applied'),
                              401: OpenApiResponse(description="missing, wrong or stale signature"),
                              413: OpenApiResponse(description="body too large"),
                              503: OpenApiResponse(description="no secret configured")})
    def post(self, request):
        secret = settings.INVENTORY_WEBHOOK_SECRET
        if not secret:
            return Response({"detail": "the inventory webhook is off (ABUSEDESK_INVENTORY_WEBHOOK_SECRET is not set)"},
                            status=status.HTTP_503_SERVICE_UNAVAILABLE)
        body = request.body
        if len(body) > MAX_BYTES:
            return Response({"detail": f"body larger than {MAX_BYTES} bytes"},
                            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        problem = verify(secret, request.headers.get(TIMESTAMP_HEADER, ""), body,
                         request.headers.get(SIGNATURE_HEADER, ""))
        if problem:
            return Response({"detail": problem}, status=status.HTTP_401_UNAUTHORIZED)
        try:
            doc = json.loads(body)
        except (ValueError, RecursionError):
            return Response({"detail": "the body is not JSON"}, status=status.HTTP_400_BAD_REQUEST)
        events = doc.get("events") if isinstance(doc, dict) and "events" in doc else [doc]
        if not isinstance(events, list) or not events or len(events) > MAX_EVENTS:
            return Response({"detail": f"give one event or 'events': a list of 1 to {MAX_EVENTS}"},
                            status=status.HTTP_400_BAD_REQUEST)
        applied = []
        try:
            with transaction.atomic():
                for n, event in enumerate(events):
                    try:
                        applied.append(apply_event(event))
                    except EventError as exc:
                        raise EventError(f"event {n}: {exc}") from None
        except EventError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        return Response({"applied": applied})
