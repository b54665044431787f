"""Who held an address at the time the authority names: the assignment history answers
(network.matching, as for abuse), with the evidence. An address without an exact time gets
no answer: at another moment another customer may have held it."""

from abusedesk.lib import clock
from abusedesk.network.matching import match_ip


def who_held(identifier) -> dict:
    """The answer for one identifier (also stored on it by `answer`)."""
    if identifier.kind != "ip":
        return {"answered": False, "reason": "not an IP address: answered by hand"}
    if identifier.at is None:
        return {"answered": False, "reason": f"no exact time ({identifier.missing or 'date and time'} missing): "
                                             "not attributable"}
    assignment = match_ip(identifier.value, identifier.at)
    at = identifier.at.isoformat()
    if assignment is None:
        return {"answered": True, "held": False, "at": at,
                "evidence": f"{identifier.value} was not assigned to any customer at {at}"}
    customer = assignment.customer
    end = assignment.end_customer
    until = assignment.valid_to.isoformat() if assignment.valid_to else "now"
    return {
        "answered": True, "held": True, "at": at,
        "assignment": assignment.pk, "prefix": assignment.prefix, "service": assignment.service_ref,
        "valid_from": assignment.valid_from.isoformat(), "valid_to": assignment.valid_to.isoformat()
        if assignment.valid_to else None,
        "customer": {"id": customer.pk, "reference": customer.reference, "name": customer.name,
                     "email": customer.main_email or customer.abuse_email},
        "end_customer": {"id": end.pk, "reference": end.reference, "name": end.name} if end else None,
        "evidence": f"{identifier.value} at {at}: assignment #{assignment.pk} of {assignment.prefix} to "
                    f"{customer.name} ({customer.reference}), valid from {assignment.valid_from.isoformat()} "
                    f"until {until}" + (f", used by end customer {end.name} ({end.reference})" if end else ""),
    }


def answer(identifier) -> dict:
    result = who_held(identifier)
    identifier.answer = result
    identifier.answered_at = clock.now()
    identifier.assignment_id = result.get("assignment")
    identifier.customer_id = (result.get("customer") or {}).get("id")
    identifier.save(update_fields=["answer", "answered_at", "assignment", "customer"])
    return result
