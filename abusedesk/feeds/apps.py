from django.apps import AppConfig


class FeedsConfig(AppConfig):
    name = "abusedesk.feeds"
    label = "feeds"

    def ready(self):
        # A fetched notice is parsed as its feed says (intake does not import feeds).
        from abusedesk.intake import processing

        from . import pipeline, signals  # noqa: F401 (signals: receivers registered on import)

        processing.CONTEXT_PROVIDERS.append(pipeline.parse_context_for)
