from django.contrib import admin

from .models import Action, OffenderFlag, RepeatOffenderThreshold, StatementOfReasons


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ["id", "case", "kind", "state", "target", "backend", "proposed_at", "executed_at"]
    list_filter = ["kind", "state"]
    raw_id_fields = ["case", "proposed_by", "approved_by", "second_approved_by", "restores"]


@admin.register(StatementOfReasons)
class StatementOfReasonsAdmin(admin.ModelAdmin):
    list_display = ["case", "measure", "source", "ground", "created_at"]
    readonly_fields = [f.name for f in StatementOfReasons._meta.fields]

    # A statement of reasons is a record of what was sent (DSA Art 17): never added, changed or
    # deleted by hand.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RepeatOffenderThreshold)
class RepeatOffenderThresholdAdmin(admin.ModelAdmin):
    list_display = ["entity", "step", "cases", "window_days"]


@admin.register(OffenderFlag)
class OffenderFlagAdmin(admin.ModelAdmin):
    list_display = ["customer", "step", "reason", "raised_at", "computed_at"]
    list_filter = ["step"]
