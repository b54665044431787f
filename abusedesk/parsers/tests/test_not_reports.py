"""Mail that is no abuse report gets kind "not_report" and no events; each
rule has a true case and the false friend it must not catch."""

from abusedesk.parsers import parse


def mail(headers: str, body: str = "") -> bytes:
    return (headers.strip("\n") + "\nMessage-ID: <x@mail.example>\n\n" + body).encode()


def test_a_delivery_status_report_is_a_bounce():
    notice = parse(mail(
        "From: Mail Delivery System <MAILER-DAEMON@mx.reporter.example>\nTo: abuse@provider.example\n"
        "Subject: Undelivered Mail Returned to Sender\n"
        "Content-Type: multipart/report; report-type=delivery-status; boundary=\"dsn\"",
        "--dsn\nContent-Type: text/plain\n\nYour mail to 198.51.100.3 could not be delivered.\n"
        "--dsn\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.reporter.example\n\n"
        "Final-Recipient: rfc822; x@reporter.example\nAction: failed\nStatus: 5.1.1\n--dsn--\n"))
    assert (notice.kind, notice.events, notice.meta["not_report"]) == ("not_report", [], "delivery report (bounce)")
    assert notice.notifier.no_reply


def test_spam_that_claims_delivery_status_on_another_type_is_still_read():
    notice = parse(mail(
        "From: Deals <offers@deals.example>\nTo: trap@reporter.example\nSubject: Portable WiFi, half price\n"
        "Content-Type: multipart/alternative; boundary=\"a\"; report-type=delivery-status",
        "--a\nContent-Type: text/plain\n\nBuy now at http://deals.example/wifi\n--a--\n"))
    assert notice.kind == "abuse"


def test_an_out_of_office_reply_is_an_automatic_reply():
    notice = parse(mail(
        "From: Piet <piet@customer.example>\nTo: abuse@provider.example\n"
        "Subject: Automatic reply: [ABUSE-77] Scanning from 198.51.100.9\nAuto-Submitted: auto-replied",
        "I am out of the office until 3 March.\n"))
    assert (notice.kind, notice.meta["not_report"]) == ("not_report", "automatic reply (out of office or similar)")


def test_a_cert_ticket_marked_auto_replied_is_still_a_report():
    notice = parse(mail(
        "From: CERT-XX <cert@cert.example>\nTo: abuse@provider.example\n"
        "Subject: [CERT-XX #99101] Compromised devices in your network\nAuto-Submitted: auto-replied",
        "The following host of yours is part of a botnet:\n\n198.51.100.40  2024-05-02 10:11:12 UTC  mirai\n"))
    assert notice.kind == "abuse"
    assert [e.ip for e in notice.events] == ["198.51.100.40"]


def test_a_ticket_acknowledgement_is_not_a_report():
    notice = parse(mail(
        "From: AbuseTracker <postmaster@tracker.example>\nTo: abuse@provider.example\n"
        "Subject: Your takedown request for address 198.51.100.9 was rejected",
        "We could not process your request.\n"))
    assert (notice.kind, notice.meta["not_report"]) == ("not_report", "acknowledgement from a ticket system")


def test_a_report_from_a_ticket_system_is_a_report():
    notice = parse(mail(
        "From: Abuse Team <abuse@hoster.example>\nTo: abuse@provider.example\n"
        "Subject: [Ticket#2024051603] Abuse report: SSH brute force from 198.51.100.9",
        "Failed password for root from 198.51.100.9 port 51122 ssh2\n"))
    assert notice.kind == "abuse" and [e.ip for e in notice.events] == ["198.51.100.9"]


def test_a_newsletter_to_the_abuse_address_is_not_a_report():
    notice = parse(mail(
        "From: Weather Today <news@weather.example>\nTo: abuse@provider.example\n"
        "Subject: Your weekend forecast\nList-Unsubscribe: <https://weather.example/unsubscribe>",
        "Sunny, 24 degrees. Read more at https://weather.example/forecast\n"))
    assert (notice.kind, notice.events) == ("not_report", [])


def test_a_newsletter_caught_by_a_spam_trap_is_spam_to_report():
    notice = parse(mail(
        "From: Weather Today <news@weather.example>\nTo: trap-4411@reporter.example\n"
        "Subject: Your weekend forecast\nList-Unsubscribe: <https://weather.example/unsubscribe>",
        "Sunny, 24 degrees. Read more at https://weather.example/forecast\n"))
    assert notice.kind == "abuse"


def test_a_dutch_automatic_answer_is_an_automatic_reply():
    notice = parse(mail(
        "From: Joke <joke@klant.example>\nTo: abuse@provider.example\n"
        "Subject: Automatisch antwoord: [ABUSE-81] Spam vanaf 198.51.100.9",
        "Ik ben tot maandag afwezig.\n"))
    assert (notice.kind, notice.events) == ("not_report", [])


def test_an_automatic_notification_subject_is_no_automatic_reply():
    notice = parse(mail(
        "From: Honeypot <hp@sensor.example>\nTo: abuse@provider.example\n"
        "Subject: Automatische Meldung: Portscan von 198.51.100.9",
        "Portscan von 198.51.100.9 auf Port 22 am 01.12.2026 20:41:13 UTC.\n"))
    assert notice.kind == "abuse" and [e.ip for e in notice.events] == ["198.51.100.9"]


def test_an_automatic_ticket_receipt_quoting_our_report_is_not_a_report():
    notice = parse(mail(
        "From: Support <support@reseller.example>\nTo: abuse@provider.example\n"
        "Subject: [Ticket#2026120410000123] Re: [ABUSE-82] Port scan from 198.51.100.14\nAuto-Submitted: auto-replied",
        "Dear customer,\n\nYour request has been received and a ticket has been created.\n\n"
        "Your message:\n> 198.51.100.14 scanned 192.0.2.10 on port 23.\n"))
    assert (notice.kind, notice.events, notice.meta["not_report"]) == (
        "not_report", [], "acknowledgement from a ticket system")


def test_an_automatic_report_that_names_its_host_is_a_report():
    notice = parse(mail(
        "From: CERT-XX <cert@cert.example>\nTo: abuse@provider.example\n"
        "Subject: [CERT-XX #99102] Infected host in your network\nAuto-Submitted: auto-replied",
        "A ticket has been created for this incident. The host 198.51.100.40 connected to a sinkhole.\n"))
    assert notice.kind == "abuse" and [e.ip for e in notice.events] == ["198.51.100.40"]


def test_a_challenge_that_quotes_our_subject_is_an_automatic_reply():
    notice = parse(mail(
        "From: Shield <confirm@cr.example>\nTo: abuse@provider.example\n"
        "Subject: Please confirm your message\nAuto-Submitted: auto-replied",
        "Your message is held: your address is not yet on the recipient's approved list.\n"
        "Subject of your message: [ABUSE-83] Scanning from 198.51.100.19\n"))
    assert (notice.kind, notice.events) == ("not_report", [])


def test_a_reply_that_closes_the_ticket_is_not_a_report():
    notice = parse(mail(
        "From: CSIRT <reports@csirt.example>\nTo: abuse@provider.example\n"
        "Subject: Re: [CSIRT #441812] Infected hosts in your network",
        "Thank you for your reply. We have closed ticket #441812. No further action is needed.\n\n"
        "On 03.12.2026 11:40, abuse@provider.example wrote:\n> 198.51.100.61 has been cleaned.\n"))
    assert (notice.kind, notice.events) == ("not_report", [])


def test_a_reply_that_names_a_host_still_active_is_a_report():
    notice = parse(mail(
        "From: CSIRT <reports@csirt.example>\nTo: abuse@provider.example\n"
        "Subject: Re: [CSIRT #441812] Infected hosts in your network",
        "Thank you. We have not closed the ticket: 198.51.100.62 is still infected (seen 2026-12-03 10:00 UTC).\n\n"
        "On 03.12.2026 11:40, abuse@provider.example wrote:\n> 198.51.100.61 has been cleaned.\n"))
    assert notice.kind == "abuse" and "198.51.100.62" in [e.ip for e in notice.events]


def test_a_newsletter_about_abuse_that_calls_itself_one_is_not_a_report():
    notice = parse(mail(
        "From: ThreatNews <newsletter@threatnews.example>\nTo: abuse@provider.example\n"
        "Subject: ThreatNews Weekly: botnets and phishing kits\n"
        "List-Unsubscribe: <https://threatnews.example/u>\nList-Id: <weekly.threatnews.example>",
        "C2 servers seen at 198.51.100.150 (taken down). Read more at https://threatnews.example/48\n"))
    assert (notice.kind, notice.events) == ("not_report", [])


def test_a_report_from_a_list_sender_that_does_not_call_itself_a_newsletter_is_a_report():
    notice = parse(mail(
        "From: Brand Watch <info@brandwatch.example>\nTo: abuse@provider.example\n"
        "Subject: Phishing site on your network\nList-Unsubscribe: <https://brandwatch.example/u>",
        "Phishing page hosted on 198.51.100.77: https://login-bank.example/\n"))
    assert notice.kind == "abuse" and "198.51.100.77" in [e.ip for e in notice.events]


def test_a_reply_about_one_of_our_cases_sent_to_the_abuse_address_opens_no_case():
    notice = parse(mail(
        "From: Customer Admin <admin@customer.example>\nTo: abuse@provider.example\n"
        "Subject: Re: [AD-001140] Abuse notice: phishing on 198.51.100.9\nIn-Reply-To: <ad-001140@provider.example>",
        "Hello,\n\nwe removed the phishing kit and changed all passwords.\n\nRegards, Tom\n\n"
        "> Dear customer,\n> we received a report about phishing on 198.51.100.9:\n"
        "> https://198.51.100.9/wp-content/uploads/bank/login.php\n"))
    assert (notice.kind, notice.events, notice.meta["not_report"]) == ("not_report", [], "reply about one of our cases")
    assert notice.notifier.no_reply


def test_a_new_notice_that_cites_our_case_or_a_reply_to_the_reporters_own_ticket_is_a_report():
    # False friends: no reply subject, only our reference cited; a reply in the reporter's own ticket.
    cited = parse(mail("From: SOC <soc@cert-x.example>\nTo: abuse@provider.example\n"
                       "Subject: Phishing again on 198.51.100.9 (see AD-001140)",
                       "The phishing page is back: https://198.51.100.9/bank/login.php\n"))
    assert cited.kind == "abuse" and cited.events
    theirs = parse(mail("From: SOC <soc@cert-x.example>\nTo: abuse@provider.example\n"
                        "Subject: Re: [Ticket#4411] SSH brute force from your network",
                        "We still see SSH login attempts from 203.0.113.9 since this morning.\n"))
    assert theirs.kind == "abuse" and theirs.events
