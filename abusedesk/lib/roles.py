"""Roles: staff (the compliance team), the compliance role (child abuse), customer users."""

COMPLIANCE_GROUP = "compliance"


def is_compliance(user) -> bool:
    return bool(user and user.is_authenticated and user.is_staff and (
        user.is_superuser or user.groups.filter(name=COMPLIANCE_GROUP).exists()))
