from celery import shared_task

from . import processing


@shared_task(name="abusedesk.process_raw_message")
def process_raw_message(raw_id: int):
    return processing.process_raw_message(raw_id)
