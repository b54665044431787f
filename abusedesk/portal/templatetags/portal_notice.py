from django import template

from abusedesk.portal.redaction import notices_for_customer

register = template.Library()


@register.inclusion_tag("portal/_notices.html")
def customer_notices(case):
    return {"notices": notices_for_customer(case)}
