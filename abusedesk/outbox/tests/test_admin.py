"""The outbox in the admin: a feed's digest has no text until it is sent."""

from abusedesk.intake import ingest
from abusedesk.intake.tests.feeds import scan_rdp
from abusedesk.outbox.models import OutgoingMail


def test_the_admin_lists_held_and_unwritten_digests_and_opens_them(demo, admin_client, tmp_path):
    path = tmp_path / "2026-11-21-scan_rdp-nl-asn64496.csv"
    path.write_bytes(scan_rdp(4, ["198.51.100.1", "198.51.100.130"]))
    ingest.ingest_files([path])  # two digests, released, not written yet
    OutgoingMail.objects.filter(to="abuse@customer-a.example").update(state="held")
    held = OutgoingMail.objects.get(state="held")
    page = admin_client.get("/admin/outbox/outgoingmail/", {"state__exact": "held"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "abuse@customer-a.example" in text and "abuse@customer-b.example" not in text
    assert ">held<" in text  # the state filter offers it
    for mail in OutgoingMail.objects.all():
        assert mail.body == ""
        assert admin_client.get(f"/admin/outbox/outgoingmail/{mail.pk}/change/").status_code == 200
    assert str(held) == "digest to abuse@customer-a.example: "
