from celery import shared_task

from .sending import send_due


@shared_task(name="abusedesk.send_mail")
def send_mail():
    return send_due()
