from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("intake", "0004_desk_triage"),
    ]

    operations = [
        migrations.AddField(
            model_name="rawmessage",
            name="claimed_by",
            field=models.CharField(blank=True, editable=False, max_length=100),
        ),
        migrations.AddField(
            model_name="rawmessage",
            name="warnings",
            field=models.JSONField(blank=True, default=list, help_text="What the parser skipped or doubted"),
        ),
        migrations.AddField(
            model_name="rawmessage",
            name="review",
            field=models.CharField(blank=True, choices=[("held", "held for review"), ("released", "released by staff")],
                                   max_length=10),
        ),
    ]
