from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import obligations
from .models import Order, Profile, PtrRecord, Questionnaire, Review, WatchListEntry


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["id", "company_name", "entity", "business_type", "risk_score", "risk_level", "state", "created_at"]
    list_filter = ["state", "risk_level", "business_type", "entity"]
    search_fields = ["company_name", "email", "registration_number", "shop_reference"]
    raw_id_fields = ["customer", "decided_by", "submitted_by"]
    readonly_fields = ["risk_score", "risk_level", "signals", "screened_at"]


@admin.register(WatchListEntry)
class WatchListEntryAdmin(admin.ModelAdmin):
    list_display = ["name", "source", "listed_on"]
    search_fields = ["name", "note"]
    raw_id_fields = ["created_by"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    """The customer's KYC record: its identifiers and obligations."""

    list_display = ["customer", "business_type", "hashcheck", "hashcheck_confirmed_at", "ptr_checked_at"]
    list_filter = ["business_type"]
    search_fields = ["customer__reference", "customer__name"]
    raw_id_fields = ["customer"]

    @admin.display(description=_("hash-check obligation"))
    def hashcheck(self, profile):
        status = obligations.hashcheck_status(profile)
        return obligations.LABELS[status] if status else "—"


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["customer", "reason", "state", "opened_at", "closed_at"]
    list_filter = ["reason", "state"]
    raw_id_fields = ["customer", "watch_entry", "closed_by"]


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ["id", "business_type", "order", "customer", "state", "requested_at", "answered_at"]
    list_filter = ["state", "business_type"]
    raw_id_fields = ["order", "customer", "reviewed_by"]


@admin.register(PtrRecord)
class PtrRecordAdmin(admin.ModelAdmin):
    list_display = ["customer", "ip", "ptr", "status", "checked_at"]
    list_filter = ["status"]
    raw_id_fields = ["customer"]
