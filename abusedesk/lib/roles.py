"""Roles, in one place.

Staff (`is_staff`) work the desk. Some work needs more than that, and each such
role is a Django group of the same name:

| role         | may                                                        |
|--------------|------------------------------------------------------------|
| `desk`       | the queues, cases, notifiers, policy (every staff member)  |
| `compliance` | child-abuse cases and their originals                      |
| `legal`      | the law-enforcement register                               |
| `kyc`        | orders, screening, the watch list                          |
| `admin`      | everything, including the Django admin (a superuser)       |

Customer users are not staff; they are bound to their customers (`Customer.users`).
"""

COMPLIANCE_GROUP = "compliance"
LEGAL_GROUP = "legal"
KYC_GROUP = "kyc"
# Not staff: the shop system's user, which may only submit orders and read their screening (kyc.access).
KYC_ORDERS_GROUP = "kyc_orders"

STAFF_ROLES = ("desk", "compliance", "legal", "kyc", "admin")
# The roles that are a group; `desk` is is_staff itself, `admin` is is_superuser.
ROLE_GROUPS = {"compliance": COMPLIANCE_GROUP, "legal": LEGAL_GROUP, "kyc": KYC_GROUP}


def has_role(user, group: str) -> bool:
    """Staff in the role's group, or a superuser."""
    return bool(user and user.is_authenticated and user.is_staff and (
        user.is_superuser or user.groups.filter(name=group).exists()))


def is_compliance(user) -> bool:
    return has_role(user, COMPLIANCE_GROUP)


def is_kyc(user) -> bool:
    return has_role(user, KYC_GROUP)


def is_legal(user) -> bool:
    """Requests from authorities are for the legal team only: not other staff, never customers."""
    return has_role(user, LEGAL_GROUP)
