from django.contrib import admin

from .models import CustomerDeadline, DeadlinePolicy, NotifierDeadline


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(admin.ModelAdmin):
    list_display = ["entity", "category", "hours", "reminders", "informational"]
    list_filter = ["entity"]


@admin.register(NotifierDeadline)
class NotifierDeadlineAdmin(admin.ModelAdmin):
    list_display = ["notifier", "category", "hours"]


@admin.register(CustomerDeadline)
class CustomerDeadlineAdmin(admin.ModelAdmin):
    list_display = ["customer", "category", "hours", "reason"]
    search_fields = ["customer__reference", "customer__name"]
