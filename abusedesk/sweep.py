"""The periodic sweep: picks up whatever a crash or a lost broker message left behind.

Run by Celery beat every SWEEP_INTERVAL seconds, or by `abusedesk run`'s own
loop when there is no broker. Every step claims rows, so running it in several
places at once is safe.
"""

import logging
from datetime import timedelta

from django.conf import settings

from abusedesk.cases.forwarding import forward_new_cases as forward
from abusedesk.desk.alerts import post_alerts
from abusedesk.enforcement.actions import execute_due
from abusedesk.enforcement.offenders import refresh_flags
from abusedesk.feeds import verification
from abusedesk.feeds.tasks import run_due_feeds as start_due_feeds
from abusedesk.intake.bulk import batch_writer
from abusedesk.intake.models import RawMessage
from abusedesk.intake.processing import BATCH_CHANNELS, BATCH_MAX_BYTES, process_batch, process_raw_message
from abusedesk.kyc import ptr as kyc_ptr
from abusedesk.kyc import questionnaires as kyc_questionnaires
from abusedesk.lawenforcement.followup import remind_due
from abusedesk.lib import claims, clock
from abusedesk.network.netbox_sync import sync_when_due
from abusedesk.outbox.sending import send_due
from abusedesk.policy.followup import followup_due
from abusedesk.reports import rollup

log = logging.getLogger(__name__)
SWEEP_BATCHES = 10  # of processing.BATCH new mails each


def pending_raw_ids(limit: int = 500, batched_elsewhere: bool = False) -> list[tuple[int, str]]:
    """(id, claimant to take over from) of the notices to process: new ones, those whose claim went stale,
    and those claimed by a process of this host that is gone (taken over at once, not after the timeout).

    `batched_elsewhere`: another process is the batch writer; the new mail a batch takes is its."""
    stale = clock.now() - timedelta(seconds=settings.CLAIM_TIMEOUT)
    new = RawMessage.objects.filter(state=RawMessage.State.NEW)
    if batched_elsewhere:
        new = new.exclude(attempts=0, channel__in=BATCH_CHANNELS, size__lte=BATCH_MAX_BYTES)
    pending = [(pk, "") for pk in (new | RawMessage.objects.filter(
        state=RawMessage.State.PROCESSING, claimed_at__lt=stale)
    ).order_by("received_at").values_list("id", flat=True)[:limit]]
    held = RawMessage.objects.filter(state=RawMessage.State.PROCESSING, claimed_at__gte=stale)
    for pk, holder in held.values_list("id", "claimed_by")[:limit]:
        if holder and claims.owner_alive(holder) is False:
            pending.append((pk, holder))
    return pending


def process_pending_raw() -> int:
    done = 0
    # New mail, in batches, unless a batch writer is at it; at most SWEEP_BATCHES a sweep, as the
    # notices one at a time below are at most 500, so that the later steps (mail) wait for no backlog.
    with batch_writer(wait=0) as writer:
        for _batch in range(SWEEP_BATCHES if writer else 0):
            claimed = process_batch()
            done += claimed
            if not claimed:
                break
    # A writer at work (a burst) takes the new mail itself: taking it here one at a time would
    # only wait on the cases its batches lock, and keep this sweep from sending mail.
    for raw_id, dead in pending_raw_ids(batched_elsewhere=not writer):
        if process_raw_message(raw_id, take_over_from=dead) is not None:
            done += 1
    return done


def forward_new_cases() -> int:
    return forward()


def send_mail() -> int:
    return send_due()


def followup_deadlines() -> int:
    return followup_due()


def execute_actions() -> int:
    return execute_due()


def refresh_offender_flags() -> int:
    return refresh_flags()


def post_staff_alerts() -> int:
    return post_alerts()


def sync_inventory() -> int:
    return sync_when_due()


def run_due_feeds() -> int:
    return start_due_feeds()


def verify_takedowns() -> int:
    return verification.sweep()


def kyc_ptr_checks() -> int:
    return kyc_ptr.check_due()


def kyc_questionnaires_due() -> int:
    return kyc_questionnaires.rerequest_due()


def legal_reminders() -> int:
    return remind_due()


def refresh_figures() -> int:
    """Keep the KPI roll-up current, so that the dashboard's own refresh finds little to do."""
    return rollup.refresh()


# Each step returns how many units it handled. Mail goes last, so that what the steps before queued leaves
# in the same sweep.
STEPS = [sync_inventory, process_pending_raw, run_due_feeds, forward_new_cases, followup_deadlines, execute_actions,
         refresh_offender_flags, verify_takedowns, kyc_ptr_checks, kyc_questionnaires_due, legal_reminders,
         post_staff_alerts, refresh_figures, send_mail]


def run_sweep() -> dict[str, int]:
    result = {}
    for step in STEPS:
        try:
            result[step.__name__] = step()
        except Exception:  # one failing step must not stop the others
            log.exception("sweep step %s failed", step.__name__)
            result[step.__name__] = -1
    return result
