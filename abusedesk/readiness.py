"""What a working desk still lacks: the list behind `abusedesk doctor` and the desk's set-up page.

Each finding says what is missing, how much it matters, and how to fix it (a command,
and the desk page where there is one). `essential` findings stop the desk from
working at all (nothing can be matched, nobody can be told); `warning` findings make
it work worse. In production, Django's own deployment checks are findings too.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core import checks
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count, F, Max, Q
from django.utils.translation import gettext_lazy as _

from abusedesk.cases.states import State
from abusedesk.lib import clock
from abusedesk.lib.env import envstr
from abusedesk.network.models import Assignment, Customer, Entity
from abusedesk.outbox.models import OutgoingMail

ESSENTIAL, WARNING = "essential", "warning"


@dataclass
class Finding:
    code: str
    level: str
    message: str
    fix: str  # a command
    url_name: str = ""  # a desk page that fixes it, if any


def _migrations_pending() -> int:
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def customers_without_contact():
    """Customers that hold addresses now but have no address to be told at, with their waiting cases."""
    return (Customer.objects.filter(abuse_email="", main_email="")
            .exclude(state=Customer.State.TERMINATED)
            .filter(Q(assignments__valid_to__isnull=True) | Q(assignments__valid_to__gt=clock.now()))
            .annotate(waiting=Count("cases", filter=Q(cases__state=State.NEW), distinct=True))
            .distinct().order_by("-waiting", "reference"))


def customers_bouncing(days: int = 30):
    """Customers whose last mail from us bounced (and none was delivered since), in the last `days`:
    their abuse contact does not reach anyone."""
    since = clock.now() - timedelta(days=days)
    return (Customer.objects.annotate(
        last_bounce=Max("cases__mails__bounced_at", filter=Q(cases__mails__state=OutgoingMail.State.BOUNCED)),
        last_sent=Max("cases__mails__sent_at", filter=Q(cases__mails__state=OutgoingMail.State.SENT)))
        .filter(last_bounce__gte=since).filter(Q(last_sent__isnull=True) | Q(last_sent__lt=F("last_bounce")))
        .order_by("-last_bounce"))


def findings(check_intake: bool = True) -> list[Finding]:
    pending = _migrations_pending()
    if pending:
        # Nothing below can be asked of a database that is not migrated.
        return [Finding("migrations", ESSENTIAL, _("%(n)d database migrations are not applied.") % {"n": pending},
                        "abusedesk migrate")]
    found = []
    if not Entity.objects.exists():
        found.append(Finding("no_entity", ESSENTIAL, _("There is no sales entity: customers and cases belong to one."),
                             "abusedesk entities add CODE --name NAME --abuse-email ADDRESS --jurisdiction CC",
                             "desk:entity-new"))
    if not Assignment.objects.active_at(clock.now()).exists():
        found.append(Finding("no_assignments", ESSENTIAL,
                             _("No IP address is assigned to a customer: no notice can be matched."),
                             "abusedesk assignments import FILE.csv  (or: abusedesk sync netbox --url URL "
                             "--token-file FILE)"))
    missing = customers_without_contact().count()
    if missing:
        found.append(Finding("no_contact", WARNING,
                             _("%(n)d customers holding addresses have no abuse contact: their cases wait, "
                               "nobody is told.") % {"n": missing},
                             "abusedesk customers import FILE.csv  (with the abuse_email column)",
                             "desk:no-contact"))
    bouncing = customers_bouncing().count()
    if bouncing:
        found.append(Finding("bouncing", WARNING,
                             _("The abuse contact of %(n)d customers bounces: they do not hear of their cases.")
                             % {"n": bouncing}, "abusedesk customers import FILE.csv  (with the abuse_email column)",
                             "desk:bouncing"))
    if not User.objects.filter(is_staff=True, is_active=True).exists():
        found.append(Finding("no_staff", WARNING, _("No staff user: nobody can work the desk."),
                             "abusedesk users invite ADDRESS --role desk  (or: abusedesk createsuperuser)"))
    if settings.EMAIL_BACKEND.endswith(("console.EmailBackend", "locmem.EmailBackend", "dummy.EmailBackend")):
        found.append(Finding("mail", ESSENTIAL if settings.PRODUCTION else WARNING,
                             _("Outgoing mail is not sent (EMAIL_BACKEND is %(backend)s): customers and "
                               "notifiers are not told.") % {"backend": settings.EMAIL_BACKEND.rsplit(".", 2)[-2]},
                             "set EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and EMAIL_HOST"))
    if check_intake and not envstr("IMAP_HOST") and not _reachable(settings.SMTP_HOST, settings.SMTP_PORT):
        found.append(Finding("intake", WARNING,
                             _("No intake is reachable: nothing listens on %(host)s:%(port)s and no IMAP "
                               "mailbox is configured.") % {"host": settings.SMTP_HOST, "port": settings.SMTP_PORT},
                             "abusedesk smtpd  (or: abusedesk run; or set IMAP_HOST and run abusedesk imap-poll)"))
    if settings.PRODUCTION:
        for message in checks.run_checks(include_deployment_checks=True):
            if message.level >= checks.WARNING:
                found.append(Finding(f"deploy:{message.id}", ESSENTIAL if message.level >= checks.ERROR else WARNING,
                                     str(message.msg).splitlines()[0], str(message.hint or "").splitlines()[0]
                                     if message.hint else "see Django's deployment checklist"))
    return found
