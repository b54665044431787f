from django.contrib import admin

from .models import Action


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ["id", "case", "kind", "state", "proposed_at", "executed_at"]
    list_filter = ["kind", "state"]
    raw_id_fields = ["case", "proposed_by", "approved_by"]
