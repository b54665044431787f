from django.contrib import admin

from .models import Feed, FeedRun, TakedownCheck


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "enabled", "interval_minutes", "last_success_at", "failures", "last_error"]
    list_filter = ["kind", "enabled"]
    readonly_fields = ["etag", "last_modified", "cursor", "claimed_at", "failures", "last_success_at", "last_error"]


@admin.register(FeedRun)
class FeedRunAdmin(admin.ModelAdmin):
    list_display = ["feed", "started_at", "finished_at", "state", "items", "events", "cases_new", "error"]
    list_filter = ["state", "feed"]


@admin.register(TakedownCheck)
class TakedownCheckAdmin(admin.ModelAdmin):
    list_display = ["case", "state", "category", "resolved_at", "came_back_count", "verified_at"]
    list_filter = ["state", "category"]
    raw_id_fields = ["case", "customer"]
