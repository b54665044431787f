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


@admin.register(RepeatOffenderThreshold)
class RepeatOffenderThresholdAdmin(admin.ModelAdmin):
    list_display = ["entity", "step", "cases", "window_days"]


@admin.register(OffenderFlag)
class OffenderFlagAdmin(admin.ModelAdmin):
    list_display = ["customer", "step", "reason", "raised_at", "computed_at"]
    list_filter = ["step"]
