from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "abusedesk.cases"
    label = "cases"

    def ready(self):
        # A feed's digests are queued without their text; the outbox has it written
        # when it sends them (the outbox does not import the cases app).
        from abusedesk.outbox import sending

        from . import digests

        sending.COMPOSERS["digest"] = digests.compose_digest
