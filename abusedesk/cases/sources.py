"""Where a case came from: the one rule, used by the statements of reasons and the reports.

DSA Art 17(3)(b) and Art 15(1) tell apart notices under Art 16, notices from trusted
flaggers (Art 22), orders from authorities (Art 9, TCO Art 3) and measures taken on the
provider's own initiative. A feed (Shadowserver, URLhaus, a blocklist) is a third party's
notification, but not an Art 16 notice of illegal content.
"""

from django.db.models import Case as Switch
from django.db.models import CharField, Q, Value, When
from django.utils.translation import gettext_lazy as _

from .models import Case


class Source:
    NOTICE = "notice"
    TRUSTED_FLAGGER = "trusted_flagger"
    HOTLINE = "hotline"
    FEED = "feed"
    AUTHORITY_ORDER = "authority_order"
    OWN_INITIATIVE = "own_initiative"

    choices = [
        (NOTICE, _("a notice (DSA Art 16)")),
        (TRUSTED_FLAGGER, _("a notice from a trusted flagger (DSA Art 22)")),
        (HOTLINE, _("a notice from a hotline")),
        (FEED, _("a feed or blocklist")),
        (AUTHORITY_ORDER, _("an order from an authority")),
        (OWN_INITIATIVE, _("our own initiative")),
    ]


def source_type():
    """The source of a case as a database expression (on Case rows). A TCO removal order is
    recognised by the format of the notice that opened the case, whoever sent it."""
    return Switch(
        When(Q(opened_by__format="tco") | Q(notifier__kind="authority"), then=Value(Source.AUTHORITY_ORDER)),
        When(notifier__kind="trusted_flagger", then=Value(Source.TRUSTED_FLAGGER)),
        When(notifier__kind="hotline", then=Value(Source.HOTLINE)),
        When(Q(notifier__kind="feed") | Q(opened_by__channel="feed"), then=Value(Source.FEED)),
        When(Q(notifier__isnull=False) | Q(opened_by__isnull=False), then=Value(Source.NOTICE)),
        default=Value(Source.OWN_INITIATIVE),
        output_field=CharField(),
    )


def source_of(case: Case) -> str:
    return Case.objects.filter(pk=case.pk).annotate(src=source_type()).values_list("src", flat=True).get()
