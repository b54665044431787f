"""More room in each page of cases_case for a changed row (PostgreSQL): 60% full, not 80%.

A feed's later chunks update the counters of the cases its earlier chunks
opened, and a case is updated again and again over its life. Measured on the
ingest benchmark (45,000 cases, 135,000 counter updates): at 80% a page
filled up and 45% of the updates were HOT (the rest added an entry to each of
the table's indexes), taking 4.3 s; at 60% 83% were, in 2.6 s, and the table
ended smaller (3,409 pages, not 4,591), with fewer dead row versions left.
"""

from django.db import migrations


def set_fillfactor(apps, schema_editor, percent=60):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE cases_case SET (fillfactor = {percent})")


def reset_fillfactor(apps, schema_editor):
    set_fillfactor(apps, schema_editor, percent=80)


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0006_bytewise_keys"),
    ]

    operations = [migrations.RunPython(set_fillfactor, reset_fillfactor)]
