from celery import shared_task

from .outbox.sending import send_due
from .sweep import run_sweep


@shared_task(name="abusedesk.sweep")
def sweep():
    return run_sweep()


@shared_task(name="abusedesk.send_mail")
def send_mail():
    """Send the mail that is due: nudged when a notice queued some, and run by beat (its own queue)."""
    return send_due()
