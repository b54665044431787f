"""Move the notice's bytes out of the row that processing updates."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("intake", "0002_rawmessage_events_done"),
    ]

    operations = [
        migrations.CreateModel(
            name="RawContent",
            fields=[
                ("raw", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True,
                                             related_name="stored", serialize=False, to="intake.rawmessage")),
                ("data", models.BinaryField()),
            ],
        ),
        migrations.RunSQL(
            "INSERT INTO intake_rawcontent (raw_id, data) SELECT id, content FROM intake_rawmessage",
            reverse_sql="UPDATE intake_rawmessage SET content = "
                        "(SELECT data FROM intake_rawcontent WHERE raw_id = intake_rawmessage.id)",
        ),
        migrations.RemoveField(model_name="rawmessage", name="content"),
    ]
