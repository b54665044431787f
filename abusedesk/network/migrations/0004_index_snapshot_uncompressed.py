"""The prefix index snapshot's parts stored uncompressed (PostgreSQL).

PostgreSQL compresses a large bytea with pglz by default: saving the 65 MB
snapshot of 1,000,000 assignments took 4.3 s of server time, for a copy of
data that is rebuilt whenever the assignments change.
"""

from django.db import migrations


def set_storage(apps, schema_editor, storage="EXTERNAL"):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE network_indexsnapshot ALTER COLUMN data SET STORAGE {storage}")


def reset_storage(apps, schema_editor):
    set_storage(apps, schema_editor, storage="EXTENDED")


class Migration(migrations.Migration):

    dependencies = [
        ("network", "0003_index_snapshot"),
    ]

    operations = [migrations.RunPython(set_storage, reset_storage)]
