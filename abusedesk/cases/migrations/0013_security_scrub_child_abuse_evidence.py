"""Child-abuse reports stored before their evidence was limited at the one place reports are
made (intake/reports.py) may hold a line of the notifier's description: keep only the
location and the reference, as every new one does."""

from django.db import migrations
from django.db.models import Q


def scrub(apps, schema_editor):
    Report = apps.get_model("cases", "Report")
    sensitive = Report.objects.filter(Q(category="csam") | Q(case__sensitive=True)).exclude(evidence="")
    batch = []
    for report in sensitive.only("pk", "url", "source_ref", "evidence").iterator(chunk_size=2000):
        kept = " ".join(x for x in (report.url, report.source_ref) if x)[:4000]
        if report.evidence != kept:
            report.evidence = kept
            batch.append(report)
        if len(batch) >= 2000:
            Report.objects.bulk_update(batch, ["evidence"])
            batch = []
    if batch:
        Report.objects.bulk_update(batch, ["evidence"])


class Migration(migrations.Migration):
    dependencies = [("cases", "0012_reports_order_fields")]
    operations = [migrations.RunPython(scrub, migrations.RunPython.noop)]
