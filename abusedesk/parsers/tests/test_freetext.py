from datetime import UTC, datetime

from abusedesk.parsers.classify import classify

from .conftest import ips, urls


def test_log_attachment_gives_the_attacker_and_the_first_readable_time(parse_fixture):
    notice = parse_fixture("freetext_en_ssh_log.eml")
    assert (notice.format, notice.category) == ("freetext", "brute_force")
    assert ips(notice) == ["198.51.100.77"]
    # The first row is a syslog line ("Mar 26 09:58:01"): the mail's Date gives its year.
    assert notice.events[0].observed_at == datetime(2024, 3, 26, 9, 58, 1, tzinfo=UTC)


def test_victim_server_and_signature_network_are_not_events(parse_fixture):
    notice = parse_fixture("freetext_en_ssh_log.eml")
    assert "192.0.2.33" not in ips(notice)
    assert not any("smallbiz" in (e.domain or "") for e in notice.events)


def test_dutch_phishing_report_with_defanged_url(parse_fixture):
    notice = parse_fixture("freetext_nl_phishing.eml")
    assert notice.category == "phishing"
    assert urls(notice) == ["https://voorbeeld-login.example.net/owa/auth.html"]


def test_german_firewall_log_destination_is_not_an_offender(parse_fixture):
    notice = parse_fixture("freetext_de_portscan.eml")
    assert notice.category == "scanning"
    assert ips(notice) == ["203.0.113.31"]


def test_forwarded_spam_with_quoted_headers_names_the_sending_host_not_the_relays(parse_fixture):
    notice = parse_fixture("freetext_forwarded_spam.eml")
    assert notice.category == "spam"
    assert ips(notice) == ["198.51.100.240"]
    assert notice.meta["forwarded"] is True


def test_html_only_outlook_mail_is_read_without_script(parse_fixture):
    notice = parse_fixture("freetext_outlook_html.eml")
    assert notice.category == "malware"
    assert [(e.ip, e.url) for e in notice.events] == [("203.0.113.61", "http://203.0.113.61/files/invoice.exe")]


def test_readable_mail_without_target_goes_to_staff(parse_fixture):
    notice = parse_fixture("freetext_no_target.eml")
    assert (notice.kind, notice.category, notice.events) == ("abuse", "spam", [])
    assert notice.errors == ["no IP address, URL or domain found"]


def test_classifier_knows_dutch_german_french_and_spanish():
    assert classify("Er is sprake van kindermisbruik op deze site")[0] == "csam"
    assert classify("Wir haben Anmeldeversuche per Brute-Force festgestellt")[0] == "brute_force"
    assert classify("Ce site est une page d'hameçonnage")[0] == "phishing"
    assert classify("Este sitio distribuye software malicioso")[0] == "malware"


def test_classifier_confidence_is_lower_for_mixed_signals():
    _, clear = classify("phishing phishing site, a phishing page with a fake login")
    _, mixed = classify("phishing or spam? a login page in an unsolicited mail")
    assert 0 < mixed < clear <= 1


def test_web_attacks_a_waf_logged_are_attacks_on_other_hosts_not_ddos_or_a_vulnerability():
    waf_report = (
        "Hello colleague,\n\nOne of your addresses (198.51.100.40) keeps attacking our network and may be\n"
        "attacking other networks as well. Our firewall logged:\n\n"
        "2024-05-02 10:11:12  198.51.100.40  rule 211230  ACME WAF: PHP Injection Attack  shop.example.net\n"
        "2024-05-02 10:14:40  198.51.100.40  rule 225170  ACME WAF: Information Disclosure Vulnerability in\n"
        "    a blog plugin (CVE-2017-5487)  blog.example.net\n"
    )
    assert classify(waf_report)[0] == "scanning"
    assert classify("The Cyber Centre has received a report regarding web attacks from systems on "
                    "your infrastructure.\nSource IP 198.51.100.41  Method GET  Path /  Count 1")[0] == "scanning"
    # False friends: a flood against a web server is a DDoS, and a site that is itself open to
    # injection is a vulnerable service, not an attacker.
    assert classify("A DDoS attack against our web servers came from 198.51.100.42 (12 Gbps UDP flood).")[0] == "ddos"
    assert classify("Your host 198.51.100.43 runs a vulnerable shop application (CVE-2023-1234) that is "
                    "open to SQL injection; please patch it.")[0] == "vulnerable_service"


def test_a_forwarded_wordfence_lockout_is_a_login_attack():
    lockout = (
        "Please be informed that one of your IP addresses (198.51.100.50) is currently attacking our network.\n"
        "-- forwarded --\nSubject: [Wordfence Alert] blog.example.net User locked out from signing in\n\n"
        "A user with IP address 198.51.100.50 has been locked out from signing in or using the password\n"
        "recovery form for the following reason: Used an invalid username 'x7f3k' to try to sign in.\n"
    )
    assert classify(lockout)[0] == "brute_force"
    # False friend: a phishing page that tells its victims their account is locked.
    assert classify("The phishing page at http://bank-login.example/ says 'Your account has been locked, "
                    "sign in to verify' and harvests credentials.")[0] == "phishing"


def test_a_copied_web_site_is_a_copyright_complaint():
    assert classify("They made an identical copy of my site and it needs to be taken down.")[0] == "copyright"
    assert classify("The owner of this domain copied our website word for word.")[0] == "copyright"
    # The false friend: a copy of a log or of a mail is evidence, not an infringement.
    assert classify("A copy of the mail is attached; it was spam sent from your server.")[0] == "spam"


def test_a_site_imitating_an_institution_is_fraud():
    assert classify("This site is imitating Government issued vaccination cards and must go.")[0] == "fraud"
    # The false friend: imitating a login page is phishing, which says so.
    assert classify("This phishing page is imitating the bank's login page.")[0] == "phishing"


def test_a_copyright_line_of_a_whois_record_is_no_copyright_complaint():
    text = ("The IP 198.51.100.80 has just been banned after 6 attempts against postfix.\n"
            "# Copyright 1997-2019, American Registry for Internet Numbers, Ltd.\n"
            "Copyright (c) 2020 Example Hosting. All rights reserved.\n")
    assert classify(text)[0] != "copyright"
    # The false friend: a complaint that names copyright in a sentence still counts.
    assert classify("Your customer infringes our copyright; copyright 2024 works are shared.")[0] == "copyright"


def test_german_network_scans_and_a_supply_chain_compromise():
    assert classify("ein Partner hat uns über Netzwerkscans von Ihrem Netzwerk informiert")[0] == "scanning"
    assert classify("Warnung: Supply-Chain-Angriff über manipulierte Software, eine APT-Kompromittierung")[0] == "malware"
    assert classify("A supply chain attack through a tampered software update")[0] == "malware"


def test_a_virus_scanner_footer_or_header_is_no_malware_report():
    text = ("Your customer at 198.51.100.81 is spamming; the message is below.\n"
            "X-Virus-Scanned: amavisd-new at mx.example\n"
            "This email message has been scanned for the presence of computer viruses.\n")
    assert classify(text)[0] == "spam"
    # The false friend: a virus the sender reports.
    assert classify("The file at http://198.51.100.82/a.exe is a virus (a trojan dropper).")[0] == "malware"


def test_quoted_printable_c2_bytes_are_no_c2_server():
    # "=C2=A0" is a no-break space in quoted-printable, not a command-and-control server.
    text = "Subject: =?utf-8?q?s=c2=adt=c2=adr=c2=adokes?=\n\n=C2=A0 free screening =C2=A0 unsubscribe\nspam"
    assert classify(text)[0] != "botnet"
    assert classify("Botnet C2 server at 198.51.100.83, port 443")[0] == "botnet"


def test_spam_filter_headers_of_a_forwarded_mail_are_no_spam_report():
    text = ("Please investigate: this mail impersonates our bank and asks for card credentials (phishing).\n"
            "X-Proofpoint-Spam-Details: rule=notspam policy=default score=0 spamscore=0\n"
            "X-Spam-Status: No, score=-0.1\n")
    assert classify(text)[0] == "phishing"
    # The false friend: the sender's own word "spam" still counts.
    assert classify("Spam from 198.51.100.84: X-Mailer: bulk\nunsolicited mail, unsubscribe link")[0] == "spam"


def test_a_name_that_starts_like_a_dutch_word_is_not_that_word():
    # "nep" (Dutch: fake) must not match "Neptus", a monitoring team's name.
    assert classify("Illegal resource access from 198.51.100.85. Monitoring Neptus team")[0] != "fraud"
    assert classify("Dit is een nep webwinkel met nep-producten")[0] == "fraud"


def test_directory_listing_is_a_misconfiguration_not_a_blocklist():
    assert classify("Directory listing is enabled on http://site.example/wp-content/uploads")[0] == \
        "vulnerable_service"
    assert classify("Your IP 198.51.100.86 has been listed on our DNSBL; see the listing.")[0] == "blocklist"


def test_a_bare_web_server_log_of_requests_is_a_web_attack():
    # Requests logged by the attacked web server and nothing else said: handled like scanning.
    log = ("2026-02-03 09:33:27 W3SVC1 198.51.100.87 45842 192.0.2.178 80 HTTP/1.1 GET /.env 404\n"
           "2026-02-03 09:33:29 W3SVC1 198.51.100.87 45850 192.0.2.178 80 HTTP/1.1 GET /owncloud.log 404\n")
    assert classify("attack by 198.51.100.87\n" + log)[0] == "scanning"
    # The false friend: a phishing report that shows the site's answer to a request.
    assert classify("Phishing page at http://198.51.100.88/bank/login (fake login):\n"
                    "GET /bank/login HTTP/1.1\nHTTP/1.1 200 OK\n")[0] == "phishing"


def test_a_service_that_takes_passwords_in_clear_text_is_a_vulnerable_service():
    text = ("POP3 server on 198.51.100.91 allows only plaintext authentication: with PLAIN and LOGIN the "
            "login credentials are sent over an unencrypted connection. Attackers can gain unauthorized access.")
    assert classify(text)[0] == "vulnerable_service"
    assert classify("Der Server überträgt die Anmeldedaten im Klartext (unverschlüsselte Verbindung).")[0] == \
        "vulnerable_service"
    # The false friend: a brute-force report that mentions a plain-text log.
    assert classify("SSH brute force from 198.51.100.92: 300 failed password attempts, log in plain text below")[0] \
        == "brute_force"


def test_waf_rows_of_password_guessing_are_a_login_attack_and_injection_rows_scanning():
    guessing = ("Our web application firewall blocked password guessing from 198.51.100.9 on our WordPress sites.\n"
                "2026-12-01 10:00:01 WAF: WordPress password guessing blocked POST /wp-login.php 198.51.100.9\n"
                "2026-12-01 10:00:05 WAF: WordPress password guessing blocked POST /xmlrpc.php 198.51.100.9\n"
                "2026-12-01 10:00:09 WAF: WordPress password guessing blocked POST /wp-login.php 198.51.100.9\n")
    assert classify(guessing)[0] == "brute_force"
    # nl and de say it in their own words.
    assert classify("Wij zien inlogaanvallen en het raden van wachtwoorden: wachtwoorden raden op /wp-login.php")[0] \
        == "brute_force"
    assert classify("Unsere Firewall meldet Passwort-Raten gegen /xmlrpc.php von 198.51.100.9")[0] == "brute_force"
    # False friend: the same firewall's rows of injection attempts are an attack on other hosts (scanning).
    injection = ("Our web application firewall blocked attacks from 198.51.100.9.\n"
                 "2026-12-01 10:00:01 WAF: PHP injection attempt GET /index.php?page=../../etc/passwd 198.51.100.9\n"
                 "2026-12-01 10:00:05 WAF: SQL injection attempt GET /shop.php?id=1%27 198.51.100.9\n"
                 "2026-12-01 10:00:09 WAF: path traversal GET /wp-content/../../wp-config.php 198.51.100.9\n")
    assert classify(injection)[0] == "scanning"


def test_german_and_dutch_open_services_are_vulnerable_services():
    assert classify("Wir haben offene Dienste in Ihrem Netz gefunden: 198.51.100.4 Port 11211/udp.")[0] \
        == "vulnerable_service"
    assert classify("Folgende Systeme sind offen aus dem Internet erreichbar: Redis auf 198.51.100.5:6379.")[0] \
        == "vulnerable_service"
    assert classify("Wij vonden openstaande DNS-resolvers in uw netwerk: 198.51.100.6.")[0] == "vulnerable_service"
    # False friend: "offene" as a plain adjective names no service.
    assert classify("Die offene Rechnung von 198.51.100.7 bitte begleichen.")[0] is None


def test_the_senders_guess_at_the_cause_is_not_what_it_reports():
    scan = ("Our IDS saw a network scan for udp/5060 from 198.51.100.48 (300 machines scanned).\n\n"
            "One possible reason for these packets is that the sending machine was infected by a virus or\n"
            "trojan, or maybe it was hacked.\n\n"
            "12/15 18:00:17 IP 198.51.100.48.40646 > 192.0.2.1.5060: UDP, length: 428\n")
    assert classify(scan)[0] == "scanning"
    ddos = ("198.51.100.11 attacked one of our customers as part of a DDoS; we saw 3 Gbps of UDP flood.\n\n"
            "It is possible that this host is one of the following:\n\n"
            "- A compromised webhost running a vulnerable version of a CMS (CVE-2018-7600)\n"
            "- A compromised router with an exposed, vulnerable admin interface\n"
            "- A server with a default password that was found through an exploit\n\n"
            "Please stop the attack.\n")
    assert classify(ddos)[0] == "ddos"
    # False friend: a statement, not a guess, still counts; and text after the guessed paragraph does too.
    infected = ("The host 198.51.100.12 is infected with malware: it serves a trojan dropper at /x.exe.\n\n"
                "If possible, please reply within two days.\n")
    assert classify(infected)[0] == "malware"


def _forwarded_scam(subject: str, body: str) -> bytes:
    return (f"From: Helpdesk <helpdesk@reporter.example>\nTo: abuse@provider.example\nSubject: {subject}\n"
            "Message-ID: <f1@reporter.example>\nMIME-Version: 1.0\n"
            'Content-Type: multipart/mixed; boundary="b1"\n\n'
            f"--b1\nContent-Type: text/plain; charset=utf-8\n\n{body}\n"
            "--b1\nContent-Type: message/rfc822\n\n"
            "Received: from shop.customer.example (shop.customer.example [198.51.100.77])\n"
            "\tby mx1.reporter.example (Postfix) with ESMTP id 4AB12; Tue, 1 Dec 2026 09:12:00 +0100\n"
            "From: Dr. Smith <lottery@customer.example>\nTo: someone@reporter.example\n"
            "Subject: Donation of 2.8 million for you\nDate: Tue, 1 Dec 2026 08:11:00 +0000\n"
            "Content-Type: text/plain\n\n"
            "You have been selected for a charity donation. Send a processing fee in bitcoin to claim\n"
            "the money; this is no fraud and no scam, your fee is returned with the payout.\n"
            "--b1--\n").encode()


def test_a_forwarded_scam_mail_from_the_customers_host_is_spam():
    from abusedesk.parsers import parse
    n = parse(_forwarded_scam("Fwd: Donation of 2.8 million for you", "Please stop this, see the attached mail."))
    assert "198.51.100.77" in ips(n)
    assert n.category == "spam"
    assert {e.category for e in n.events if e.ip == "198.51.100.77"} == {"spam"}
    # False friends: a sender whose subject calls it fraud is taken at its word; a fake-shop
    # report without a forwarded mail stays fraud.
    assert parse(_forwarded_scam("Forwarded fraud email from 198.51.100.77", "See the attached mail.")).category \
        == "fraud"
    shop = parse(b"From: a@reporter.example\nTo: abuse@provider.example\nSubject: Complaint\n\n"
                 b"The shop at http://shop.customer.example/ is a fraud: a scam that takes money and ships nothing.\n")
    assert shop.category == "fraud"


def test_a_sip_guards_illegitimate_register_attempts_are_a_login_attack():
    assert classify("Offence committed: Illegitimate register attempt, count 5, target SIP port 5060, "
                    "source 198.51.100.6")[0] == "brute_force"
    # False friend: a SIP server named as open to the Internet is no login attack.
    assert classify("Our scan found an open SIP service on 198.51.100.6; successful registration "
                    "of a test account is not required. The exposed service is vulnerable.")[0] == "vulnerable_service"


def test_harmful_downloads_are_malware_and_harmful_words_alone_are_not():
    assert classify("Google Safe Browsing has detected harmful downloads on the following URLs")[0] == "malware"
    assert classify("This content is harmful to children and we ask for its removal")[0] is None


def test_netscans_and_polish_open_services_have_their_categories():
    assert classify("Abuse Message: NetscanOutLevel: Netscan detected from host 198.51.100.5")[0] == "scanning"
    assert classify("Podatne usługi w Państwa sieci: publicznie dostępne usługi, otwarty resolver DNS, "
                    "które mogą zostać wykorzystane do ataków DDoS")[0] == "vulnerable_service"
    # False friend: a Polish DDoS report names the attack, not an open service.
    assert classify("Atak DDoS z Państwa sieci, ddos na nasz serwer")[0] == "ddos"


_F2B_HEAD = "Hi,\nThe IP 198.51.100.2 has just been banned by Fail2Ban after 3 attempts against postfix.\n\n"


def test_a_mail_servers_refused_deliveries_are_spam_not_a_blocklist():
    # The reject reason names the DNSBL that refused it: the report is about the mail, not a listing.
    log = ("Jan 30 05:07:21 mx1 postfix/smtpd[14329]: NOQUEUE: reject: RCPT from dyn-2.isp.example"
           "[198.51.100.2]: 554 5.7.1 Service unavailable; Client host [198.51.100.2] blocked using"
           " dnsbl.example; from=<a@b.example> to=<c@d.example> proto=ESMTP\n")
    assert classify(_F2B_HEAD + log)[0] == "spam"


def test_a_mail_servers_failed_logins_are_brute_force():
    # False friend: the same server's log of SMTP AUTH failures is password guessing, not spam.
    log = ("Jan 30 05:07:21 mx1 postfix/smtpd[14329]: warning: dyn-2.isp.example[198.51.100.2]:"
           " SASL LOGIN authentication failed: authentication failure\n") * 3
    assert classify(_F2B_HEAD + log)[0] == "brute_force"
