"""Evidence uploads: strict limits, stored under a random name, downloaded only by who may see the case."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from abusedesk.portal.models import Attachment

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def upload(client, case, name, data, ctype="application/octet-stream"):
    return client.post(reverse("portal:upload", args=[case.pk]), {"file": SimpleUploadedFile(name, data, ctype)})


def test_a_log_file_is_stored_and_downloadable_as_an_attachment(alice, cases, media):
    assert upload(alice, cases["a"], "access.log", b"GET /wp-login.php 200\n").status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.filename == "access.log" and "access" not in attachment.file.name
    response = alice.get(reverse("portal:download", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/octet-stream"
    assert b"".join(response.streaming_content) == b"GET /wp-login.php 200\n"


def test_other_customers_cannot_download_it(alice, bob, cases, media):
    upload(alice, cases["a"], "proof.png", PNG)
    attachment = Attachment.objects.get()
    assert bob.get(reverse("portal:download", args=[attachment.pk])).status_code == 404
    assert upload(bob, cases["a"], "x.txt", b"hi").status_code == 404


def test_html_and_executables_are_refused(alice, cases, media):
    for name, data in [("page.html", b"<script>alert(1)</script>"), ("run.exe", b"MZ\x90\x00"),
                       ("image.svg", b"<svg onload=alert(1)>"), ("noext", b"plain")]:
        assert upload(alice, cases["a"], name, data).status_code == 400, name
    assert not Attachment.objects.exists()


def test_a_file_whose_content_lies_about_its_type_is_refused(alice, cases, media):
    assert upload(alice, cases["a"], "fake.png", b"<html><script>alert(1)</script>").status_code == 400
    assert upload(alice, cases["a"], "binary.txt", b"\x00\x01\x02\xff\xfe").status_code == 400


def test_files_over_the_size_limit_are_refused(alice, cases, media, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    assert upload(alice, cases["a"], "big.txt", b"a" * 2048).status_code == 400
    assert not Attachment.objects.exists()


def test_the_number_of_files_per_case_is_limited(alice, cases, media, settings):
    settings.ATTACHMENT_MAX_PER_CASE = 2
    for i in range(3):
        upload(alice, cases["a"], f"f{i}.txt", b"x")
    assert Attachment.objects.count() == 2


def test_hostile_file_names_are_made_harmless(alice, cases, media):
    upload(alice, cases["a"], '../../etc/"><script>alert(1)</script>.txt', b"evidence")
    attachment = Attachment.objects.get()
    assert "/" not in attachment.filename and "<" not in attachment.filename and '"' not in attachment.filename
    html = alice.get(reverse("portal:case", args=[cases["a"].pk])).content.decode()
    assert "<script>alert(1)" not in html
