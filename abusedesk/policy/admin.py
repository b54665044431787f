from django.contrib import admin

from .models import DeadlinePolicy


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(admin.ModelAdmin):
    list_display = ["entity", "category", "hours", "reminders", "informational"]
    list_filter = ["entity"]
