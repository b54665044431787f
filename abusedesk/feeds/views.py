"""The desk's feed pages (staff): add, edit, enable, run now, and the runs."""

from django.conf import settings
from django.contrib import messages
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from abusedesk.desk.access import staff_required

from .forms import FeedForm
from .models import Feed, FeedRun
from .runner import Busy, run_feed
from .secrets import shown
from .tasks import run_feed_task

RUNS_SHOWN = 50


@staff_required
def feed_list(request):
    latest = FeedRun.objects.filter(feed=OuterRef("pk")).order_by("-started_at").values("pk")[:1]
    feeds = list(Feed.objects.annotate(last_run_id=Subquery(latest)))
    runs = FeedRun.objects.in_bulk([f.last_run_id for f in feeds if f.last_run_id])
    return render(request, "feeds/feeds.html", {"rows": [(f, runs.get(f.last_run_id)) for f in feeds]})


@staff_required
def feed_edit(request, pk=None):
    feed = get_object_or_404(Feed, pk=pk) if pk else None
    form = FeedForm(request.POST or None, feed=feed)
    if request.method == "POST" and form.is_valid():
        feed = form.save()
        messages.success(request, _("Saved."))
        return redirect("feeds:feed", feed.pk)
    runs = FeedRun.objects.filter(feed=feed)[:RUNS_SHOWN] if feed else []
    return render(request, "feeds/feed.html", {"form": form, "feed": feed, "runs": runs,
                                               "options": shown(feed.options) if feed else {}})


@staff_required
@require_POST
def feed_enable(request, pk):
    feed = get_object_or_404(Feed, pk=pk)
    feed.enabled = request.POST.get("enabled") == "1"
    feed.save(update_fields=["enabled"])
    messages.success(request, _("The feed is enabled.") if feed.enabled else _("The feed is disabled."))
    return redirect("feeds:feed", feed.pk)


@staff_required
@require_POST
def feed_run(request, pk):
    feed = get_object_or_404(Feed, pk=pk)
    if settings.CELERY_BROKER_URL:
        run_feed_task.delay(feed.pk, "manual")
        messages.success(request, _("The run was started; it appears below when it finishes."))
        return redirect("feeds:feed", feed.pk)
    try:
        run = run_feed(feed, trigger="manual")
    except Busy:
        messages.error(request, _("This feed is running already."))
        return redirect("feeds:feed", feed.pk)
    if run.ok:
        messages.success(request, _("The run succeeded."))
    else:
        messages.error(request, _("The run failed: %(error)s") % {"error": run.error})
    return redirect("feeds:feed", feed.pk)
