from celery import shared_task

from abusedesk.lib.nudge import nudge
from abusedesk.outbox.tasks import send_mail

from . import processing

# A burst of notices queues mail: one send task a second is enough, each sends everything due.
MAIL_NUDGE_EVERY = 1.0


@shared_task(name="abusedesk.process_raw_message")
def process_raw_message(raw_id: int):
    summary = processing.process_raw_message(raw_id)
    if summary is not None:
        # What the notice queued (forwards, receipts) leaves from the mail queue now, not at the
        # next sweep (with a broker: without one, nudge() does nothing and the sweep loop sends it).
        nudge(send_mail, every=MAIL_NUDGE_EVERY)
    return summary
