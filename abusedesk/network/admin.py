from django.contrib import admin

from .models import Assignment, Customer, Entity


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "abuse_email", "jurisdiction"]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["reference", "name", "entity", "parent", "is_reseller", "abuse_email", "state"]
    list_filter = ["entity", "is_reseller", "state"]
    search_fields = ["reference", "name", "abuse_email"]
    raw_id_fields = ["parent"]
    filter_horizontal = ["users"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["prefix", "customer", "end_customer", "service_ref", "valid_from", "valid_to"]
    search_fields = ["prefix", "customer__reference", "service_ref"]
    raw_id_fields = ["customer", "end_customer"]
