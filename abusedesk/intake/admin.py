from django.contrib import admin

from .models import Notifier, RawMessage


@admin.register(Notifier)
class NotifierAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "email", "trusted", "auto_reply", "api_key_prefix"]
    list_filter = ["kind", "trusted"]
    search_fields = ["name", "email", "sender_addresses"]


@admin.register(RawMessage)
class RawMessageAdmin(admin.ModelAdmin):
    list_display = ["id", "received_at", "channel", "format", "kind", "subject", "state", "needs_staff"]
    list_filter = ["channel", "state", "kind", "needs_staff"]
    search_fields = ["sha256", "subject", "envelope_from"]
    # The notice itself (RawContent) is hostile input: never rendered here.

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.concrete_fields]

    def has_add_permission(self, request):
        return False
