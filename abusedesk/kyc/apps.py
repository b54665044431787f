from django.apps import AppConfig


class KycConfig(AppConfig):
    name = "abusedesk.kyc"
    label = "kyc"
    verbose_name = "KYC"

    def ready(self):
        from . import signals  # noqa: F401 (connects the signal receivers)
