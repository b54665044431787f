from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "abusedesk.intake"
    label = "intake"

    def ready(self):
        from abusedesk.network.signals import assignments_changed

        from . import triage

        # New assignments: notices that found no address of ours are tried again.
        assignments_changed.connect(triage.retry_unmatched, dispatch_uid="intake-retry-unmatched")
