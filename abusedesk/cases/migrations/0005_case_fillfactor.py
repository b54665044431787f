"""Room in each page of cases_case for a changed row (PostgreSQL).

A case is updated many times (report counts from every feed, state changes,
reminders). With free space in its page, PostgreSQL writes the new row
version there and, when no indexed column changed, leaves the table's dozen
indexes alone (a HOT update) instead of adding an entry to each.
"""

from django.db import migrations


def set_fillfactor(apps, schema_editor, percent=80):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE cases_case SET (fillfactor = {percent})")


def reset_fillfactor(apps, schema_editor):
    set_fillfactor(apps, schema_editor, percent=100)


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0004_leaner_case_indexes"),
    ]

    operations = [migrations.RunPython(set_fillfactor, reset_fillfactor)]
