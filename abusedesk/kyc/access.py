"""Who may use KYC through the API, in one place.

- KYC staff (the `kyc` role, lib.roles) and superusers: everything.
- The shop system's user (group `kyc_orders`, not staff): may submit orders and read the
  screening of the orders it submitted, nothing else. A view opts actions in for it with
  `shop_actions`; the order queryset is narrowed to its own orders (api.OrderViewSet).
Scoped API tokens ("orders-only") map onto the shop role here.
"""

from rest_framework import permissions

from abusedesk.lib.roles import KYC_ORDERS_GROUP, is_kyc


def is_shop(user) -> bool:
    return bool(user and user.is_authenticated and not user.is_staff
                and user.groups.filter(name=KYC_ORDERS_GROUP).exists())


class KycAccess(permissions.BasePermission):
    message = "KYC is for staff with the kyc role; the shop's user may only submit orders and read them."

    def has_permission(self, request, view):
        user = request.user
        if is_kyc(user):
            return True
        return view.action in getattr(view, "shop_actions", ()) and is_shop(user)
