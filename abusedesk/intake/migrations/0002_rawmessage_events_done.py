from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("intake", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="rawmessage",
            name="events_done",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
    ]
