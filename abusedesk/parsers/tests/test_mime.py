import base64

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from abusedesk.parsers.base import ParseContext, ParseError
from abusedesk.parsers.mime import decode_bytes, decode_header_value, html_to_text, parse_mail


def test_encoded_words_in_any_charset_are_decoded():
    assert decode_header_value("=?iso-8859-1?q?Gr=FC=DFe?= =?utf-8?b?w6lsw6h2ZQ==?=") == "Grüßeélève"


def test_unknown_charset_falls_back_without_raising():
    assert decode_header_value("=?x-klingon?b?aGVsbG8=?=") == "hello"
    assert decode_bytes(b"caf\xe9", "no-such-charset") == "café"
    assert decode_bytes(b"\xff\xfe\xfa", "utf-8").count("\ufffd") == 3


def test_non_text_codecs_are_not_used_as_charsets():
    assert decode_bytes(b"hello", "rot13") == "hello"
    assert decode_bytes(b"hello", "zlib") == "hello"


def test_folded_and_injected_header_lines_do_not_leak_newlines():
    value = decode_header_value("Report\r\n\tcontinued =?utf-8?q?a=0D=0ABcc:_x@example.org?=")
    assert "\n" not in value and "\r" not in value
    assert value.startswith("Report continued")


def test_base64_quoted_printable_and_8bit_bodies_are_decoded():
    body = base64.b64encode("Bericht über 198.51.100.7".encode()).decode()
    raw = (
        "Subject: x\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n"
        "--b\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n" + body + "\n"
        "--b\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\n"
        "Gr=FC=DFe=\n aus K=F6ln\n--b--\n"
    ).encode()
    mail = parse_mail(raw)
    assert [p.text.strip() for p in mail.parts] == ["Bericht über 198.51.100.7", "Grüße aus Köln"]


def test_html_only_body_becomes_text_without_script_or_style():
    html = (
        "<html><head><style>.x{color:red}</style><script>document.write('198.51.100.66')</script></head>"
        "<body><p>Phishing at <a href='https://login.example.net/x'>this page</a></p><!-- 198.51.100.77 --></body>"
    )
    text = html_to_text(html)
    assert "https://login.example.net/x" in text
    assert "Phishing at" in text
    assert "198.51.100.66" not in text and "198.51.100.77" not in text and "color" not in text


def test_html_part_is_skipped_when_a_plain_alternative_exists():
    raw = (
        b"Content-Type: multipart/alternative; boundary=a\n\n--a\nContent-Type: text/plain\n\nplain\n"
        b"--a\nContent-Type: text/html\n\n<p>html</p>\n--a--\n"
    )
    assert parse_mail(raw).body_text.strip() == "plain"


def test_a_one_line_plain_placeholder_gives_way_to_the_html_notice():
    html = ("<p>Dear Sir/Madam,</p><p>We write on behalf of our client about a stream that infringes its "
            "copyright.</p><p>ip address:<br>198.51.100.44</p>" + "<p>Please disable the stream at once.</p>" * 8)
    raw = ("Content-Type: multipart/alternative; boundary=a\n\n--a\nContent-Type: text/plain\n\n"
           "This is a plain-text message body\n--a\nContent-Type: text/html\n\n" + html + "\n--a--\n").encode()
    assert "198.51.100.44" in parse_mail(raw).body_text
    assert "plain-text message body" not in parse_mail(raw).body_text
    # A short plain alternative that is the notice itself ("Phishing at <url>") stays the body.
    raw = ("Content-Type: multipart/alternative; boundary=a\n\n--a\nContent-Type: text/plain\n\n"
           "Phishing at https://login.example.net/x\n--a\nContent-Type: text/html\n\n" + html + "\n--a--\n").encode()
    assert parse_mail(raw).body_text.strip() == "Phishing at https://login.example.net/x"


def test_a_mail_attached_as_text_has_its_quoted_printable_body_decoded():
    attached = ("From: reports@detector.example\nSubject: Brute force attack at 198.51.100.2=\n7\n"
                "Content-Transfer-Encoding: quoted-printable\n\nLogin attempts from 198.51.100.2=\n7 at 2021-11-=\n"
                "28 14:49 UTC; see https://incident.detector.example/a1=3D2\n")
    raw = ("Content-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: text/plain\n\nSee attached.\n"
           "--a\nContent-Type: text/plain\nContent-Disposition: attachment; filename=evidence_0.eml\n\n"
           + attached + "--a--\n").encode()
    text = [p for p in parse_mail(raw).parts if p.filename][0].text
    assert "from 198.51.100.27 at 2021-11-28 14:49" in text and "a1=2" in text
    assert "Subject: Brute force attack at 198.51.100.2=\n7" in text  # its headers stay as written
    # A text attachment that is no mail of that encoding is left as it is.
    raw = raw.replace(b"filename=evidence_0.eml", b"filename=notes.txt")
    assert "198.51.100.2=\n7 at" in [p for p in parse_mail(raw).parts if p.filename][0].text


def test_a_mail_attached_as_an_untyped_eml_file_is_a_message():
    attached = base64.encodebytes(b"Received: from mx.sender.example ([198.51.100.88]) by mx.uni.example; "
                                  b"Tue, 20 Sep 2022 23:41:40 -0500\nFrom: payroll@sender.example\n"
                                  b"Subject: Update your payroll login\n\nLog in now.\n").decode()
    raw = ("Content-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: text/plain\n\nphish report\n"
           "--a\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n"
           "Content-Disposition: attachment; filename=\"8lwU.eml\"\n\n" + attached + "--a--\n").encode()
    [part] = [p for p in parse_mail(raw).parts if p.filename]
    assert part.message is not None and part.message.subject == "Update your payroll login"
    # Bytes of no mail under that name stay a file.
    raw = raw.replace(attached.encode(), base64.encodebytes(b"\x00\x01PK binary").strip())
    [part] = [p for p in parse_mail(raw).parts if p.filename]
    assert part.message is None


def test_an_rtf_attachment_is_read_in_the_code_page_it_names():
    rtf = b"{\\rtf1\\ansi\\ansicpg1251 {\\field HYPERLINK \"https://www." + "пример".encode(
        "cp1251") + b".example/x\"}}"
    raw = (b"Content-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: text/plain\n\nnotice\n--a\n"
           b"Content-Type: text/rtf; name=n.rtf\nContent-Disposition: attachment; filename=n.rtf\n\n" + rtf + b"\n--a--\n")
    [part] = [p for p in parse_mail(raw).parts if p.filename]
    assert "https://www.пример.example/x" in part.text
    # A charset the part declares itself wins.
    raw = raw.replace(b"Content-Type: text/rtf; name=n.rtf", b"Content-Type: text/rtf; charset=koi8-r; name=n.rtf")
    [part] = [p for p in parse_mail(raw).parts if p.filename]
    assert part.charset == "koi8-r"


def test_attached_message_is_parsed_as_a_mail_of_its_own():
    raw = (
        b"Subject: fwd\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nsee attached\n"
        b"--b\nContent-Type: message/rfc822\n\nReceived: from x (x [198.51.100.3]) by y\nSubject: inner\n\nbody\n--b--\n"
    )
    mail = parse_mail(raw)
    inner = [p.message for p in mail.parts if p.message is not None][0]
    assert inner.subject == "inner"
    assert inner.header_all("received")[0].startswith("from x")


def test_rfc2231_filename_is_decoded_and_reduced_to_a_base_name():
    raw = (
        b"Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n"
        b"Content-Disposition: attachment; filename*=utf-8''..%2F..%2Fetc%2Fr%C3%A9port.log\n\nx\n--b--\n"
    )
    assert parse_mail(raw).parts[0].filename == "réport.log"


def test_nesting_deeper_than_the_limit_is_cut_with_a_warning():
    context = ParseContext(max_mime_depth=3)
    raw = b""
    for i in range(6):
        raw += b"Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n" % (i, i)
    raw += b"Content-Type: text/plain\n\ndeep\n"
    mail = parse_mail(raw, context)
    assert mail.parts == []
    assert any("nesting deeper than 3" in w for w in mail.warnings)


def test_more_parts_than_the_limit_are_ignored_with_a_warning():
    context = ParseContext(max_mime_parts=5)
    raw = b"Content-Type: multipart/mixed; boundary=b\n\n" + b"--b\nContent-Type: text/plain\n\nx\n" * 50 + b"--b--\n"
    mail = parse_mail(raw, context)
    assert len(mail.parts) <= 5
    assert any("more than 5 MIME parts" in w for w in mail.warnings)


def test_input_over_the_size_limit_is_refused():
    try:
        parse_mail(b"x" * 101, ParseContext(max_bytes=100))
    except ParseError as exc:
        assert "over the limit" in str(exc)
    else:
        raise AssertionError("no ParseError")


_header_names = st.sampled_from(["Subject", "From", "Content-Type", "Content-Transfer-Encoding", "X-A", "To"])
_values = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80)


@st.composite
def mime_trees(draw, depth=0):
    """Random, often broken, MIME structures."""
    headers = draw(st.lists(st.tuples(_header_names, _values), max_size=4))
    head = "".join(f"{k}: {v}\n" for k, v in headers)
    if depth < 4 and draw(st.booleans()):
        boundary = draw(st.sampled_from(["b", "==x==", "q" * 70, ""]))
        children = draw(st.lists(mime_trees(depth=depth + 1), max_size=4))
        body = "".join(f"--{boundary}\n{c}\n" for c in children) + draw(st.sampled_from([f"--{boundary}--\n", ""]))
        ctype = draw(st.sampled_from(["multipart/mixed", "multipart/report; report-type=feedback-report",
                                      "message/rfc822", "multipart/alternative"]))
        return f"{head}Content-Type: {ctype}; boundary=\"{boundary}\"\n\n{body}"
    ctype = draw(st.sampled_from(["text/plain", "text/html", "application/octet-stream", "message/feedback-report",
                                  "text/rfc822-headers", "text/plain; charset=x-bogus", "text/plain; charset=utf-7"]))
    cte = draw(st.sampled_from(["", "base64", "quoted-printable", "x-uuencode", "8bit", "bogus"]))
    return f"{head}Content-Type: {ctype}\nContent-Transfer-Encoding: {cte}\n\n{draw(_values)}"


@settings(max_examples=200, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(mime_trees())
def test_arbitrary_mime_structures_respect_the_caps_or_are_refused_with_a_reason(tree):
    context = ParseContext(max_mime_depth=3, max_mime_parts=6)
    try:
        mail = parse_mail(tree.encode("utf-8", "surrogatepass"), context)
    except ParseError as exc:
        # Far more boundaries declared than the caps allow parts: refused before
        # the stdlib parser works on it (the notice goes to the staff queue).
        assert "multipart boundaries declared" in str(exc)
        return
    assert len(mail.parts) <= 6
    assert all(p.depth <= 3 for p in mail.parts)
    assert isinstance(mail.body_text, str)
    assert len(mail.all_text()) <= 4 * 1024 * 1024
    assert isinstance(mail.from_address, tuple)


@settings(max_examples=200, deadline=2000)
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_never_raise(data):
    mail = parse_mail(data)
    assert isinstance(mail.body_text, str)
    assert isinstance(mail.all_text(), str)


def test_a_mail_declaring_thousands_of_boundaries_is_refused_with_a_reason():
    from abusedesk.parsers import parse

    data = b"".join(b'Content-Type: multipart/mixed; boundary="b%d"\n\n--b%d\n' % (i, i) for i in range(3000))
    notice = parse(data + b"198.51.100.7\n")
    assert notice.kind == "unparseable"
    assert notice.errors == ["malformed MIME: 3000 multipart boundaries declared"]
