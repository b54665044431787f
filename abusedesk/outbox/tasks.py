from celery import shared_task

from .sending import send_due


@shared_task(name="abusedesk.send_mail")
def send_mail():
    """Send the mail that is due: nudged when a notice queued some, and run by beat (its own queue)."""
    return send_due()
