from celery import shared_task

from .sweep import run_sweep


@shared_task(name="abusedesk.sweep")
def sweep():
    return run_sweep()
