from django.apps import AppConfig

from abusedesk.intake.signals import notice_for_register, notice_parsed


class LawEnforcementConfig(AppConfig):
    name = "abusedesk.lawenforcement"
    label = "lawenforcement"
    verbose_name = "Law enforcement"

    def ready(self):
        # Intake announces every parsed notice; the register takes the authorities' ones.
        from . import receivers  # models are loaded by now

        notice_for_register.connect(receivers.takes_notice, dispatch_uid="lawenforcement.takes_notice")
        notice_parsed.connect(receivers.register_notice, dispatch_uid="lawenforcement.register_notice")
