"""Django admin for the register: the legal role (and superusers) only."""

from django.contrib import admin

from abusedesk.lib.roles import is_legal

from .models import Check, Disclosure, Hold, Identifier, LegalAudit, LegalRequest, TypeDeadline


class LegalOnly:
    """Other staff do not see the register in the admin at all."""

    def has_module_permission(self, request):
        return is_legal(request.user)

    def has_view_permission(self, request, obj=None):
        return is_legal(request.user)

    def has_change_permission(self, request, obj=None):
        return is_legal(request.user)

    def has_add_permission(self, request, obj=None):
        return is_legal(request.user)

    def has_delete_permission(self, request, obj=None):
        return False  # the register is evidence: nothing is deleted


class IdentifierInline(LegalOnly, admin.TabularInline):
    model = Identifier
    extra = 0
    readonly_fields = ["answer", "answered_at", "assignment", "customer"]


class CheckInline(LegalOnly, admin.TabularInline):
    model = Check
    extra = 0
    readonly_fields = ["code", "passed", "evidence", "remedy", "confirmed_by", "confirmed_at"]


class DisclosureInline(LegalOnly, admin.TabularInline):
    model = Disclosure
    extra = 0
    readonly_fields = ["kind", "content", "recipient", "channel", "sent_at", "sent_by", "data"]

    def has_change_permission(self, request, obj=None):
        return False  # exactly what was sent


@admin.register(LegalRequest)
class LegalRequestAdmin(LegalOnly, admin.ModelAdmin):
    list_display = ["ref", "authority", "country", "type", "entity", "received_at", "state", "validity", "deadline"]
    list_filter = ["state", "validity", "type", "entity"]
    search_fields = ["authority", "reference"]
    raw_id_fields = ["raw_message", "decided_by", "cases"]
    readonly_fields = ["validity", "state", "decided_at", "decided_by", "answered_at", "closed_at", "created_at",
                       "updated_at"]
    inlines = [IdentifierInline, CheckInline, DisclosureInline]


@admin.register(LegalAudit)
class LegalAuditAdmin(LegalOnly, admin.ModelAdmin):
    list_display = ["at", "request", "actor_label", "verb", "from_state", "to_state"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Hold)
class HoldAdmin(LegalOnly, admin.ModelAdmin):
    list_display = ["request", "case", "since", "until", "extensions", "released_at"]


@admin.register(TypeDeadline)
class TypeDeadlineAdmin(LegalOnly, admin.ModelAdmin):
    list_display = ["entity", "type", "hours"]
