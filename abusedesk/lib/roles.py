"""Roles: staff (the compliance team), the compliance role (child abuse), the legal role
(law-enforcement requests), customer users."""

COMPLIANCE_GROUP = "compliance"
LEGAL_GROUP = "legal"


def is_compliance(user) -> bool:
    return bool(user and user.is_authenticated and user.is_staff and (
        user.is_superuser or user.groups.filter(name=COMPLIANCE_GROUP).exists()))


def is_legal(user) -> bool:
    """Requests from authorities are for the legal team only: not other staff, never customers."""
    return bool(user and user.is_authenticated and user.is_staff and (
        user.is_superuser or user.groups.filter(name=LEGAL_GROUP).exists()))
