from django.contrib import admin

from .models import AuditLog, Case, Message, Report


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["id", "customer", "category", "target", "state", "report_count", "received_at", "deadline"]
    list_filter = ["state", "category", "entity"]
    search_fields = ["target", "ip", "customer__reference"]
    raw_id_fields = ["customer", "end_customer", "assignment", "notifier", "merged_into"]
    readonly_fields = ["state"]  # state changes go through the workflow (audited)


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["id", "category", "ip", "url", "status", "customer", "case", "received_at"]
    list_filter = ["status", "category"]
    search_fields = ["ip", "url", "domain"]
    raw_id_fields = ["raw_message", "customer", "assignment", "case", "notifier"]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["id", "case", "author_kind", "channel", "created_at"]
    raw_id_fields = ["case", "author", "raw_message"]


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ["at", "case", "actor_label", "verb", "from_state", "to_state"]
    list_filter = ["verb"]

    # The audit log is append-only: the workflow writes it, nobody edits it.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
