"""The sender's own word for the type of its report outranks keyword
counting; each label with a notice that states it and a false friend."""

from abusedesk.parsers import parse
from abusedesk.parsers.labels import category_of, declared_category


def notice(subject: str, body: str, sender: str = "reports@reporter.example"):
    return parse((f"From: {sender}\nTo: abuse@provider.example\nSubject: {subject}\n"
                  f"Message-ID: <l1@reporter.example>\n\n{body}").encode())


def test_types_missing_before_have_their_category():
    assert category_of("ChildAbuse") == "csam"
    assert category_of("Exploit") == "scanning"
    assert category_of("Trademark") == "copyright"
    assert category_of("web_hack") == "malware"
    assert category_of("spamvertised") == "spam"
    assert category_of("phishing_site") == "phishing"
    assert category_of("malware-attack") == "malware"
    assert category_of("botnet_drone") == "botnet"


def test_a_type_line_outranks_the_words_of_the_evidence():
    # The log is full of "login" and "password"; the sender says what it is.
    n = notice("Incident 4471", "Type: port scan\nSource: 198.51.100.90\n\n"
               "Jan 2 10:00:01 gw kernel: login password probe from 198.51.100.90 to port 22, 23, 80, 443\n")
    assert n.category == "scanning"


def test_a_type_line_naming_nothing_we_know_leaves_the_keywords_to_decide():
    n = notice("Incident 4472", "Type: other\n\nSSH brute force from 198.51.100.91: 4000 failed password attempts.\n")
    assert n.category == "brute_force"


def test_a_bracketed_subject_label_is_the_senders_type():
    n = notice("198.51.100.92 [login-attack] Abuse originating from IP you are using",
               "We saw scanning and logins from 198.51.100.92.\n")
    assert n.category == "brute_force"


def test_a_bracketed_ticket_number_is_no_label():
    assert declared_category("[Ticket#2024051603] Re: your server", "") is None


def test_a_trademark_notice_from_a_brand_protection_company_is_not_phishing():
    n = notice("Trademark infringement: shop.example uses our client's mark",
               "The website http://shop.example/ sells goods under our client's trademark, a phishing-like copy "
               "of the brand's design.\n", sender="notices@markmonitor.com")
    assert (n.format, n.category) != ("phishing", "phishing")
    assert n.category == "copyright"


def test_a_phishing_notice_from_the_same_company_stays_phishing():
    n = notice("Phishing site at http://login-bank.example/", "Phishing page: http://login-bank.example/secure\n",
               sender="notices@markmonitor.com")
    assert (n.format, n.category) == ("phishing", "phishing")


def test_a_scam_that_names_phishing_is_phishing():
    n = notice("URGENT: fraud against our customers",
               "A fraudulent page, part of a phishing campaign, collects card numbers: "
               "http://198.51.100.93/bank/ Fraudulent, fraudulent, fraud.\n")
    assert n.category == "phishing"


def test_a_mail_forwarded_without_a_word_of_its_own_is_a_spam_complaint():
    n = notice("Fwd: Restore your hearing today", "---------- Forwarded message ---------\n"
               "From: Health Deals <deals@pills.example>\nSubject: Restore your hearing today\n\n"
               "Order now at http://pills.example/buy\n")
    assert n.category == "spam"


def test_an_arf_report_with_feedback_type_spam_is_spam():
    body = ("--b\nContent-Type: text/plain\n\nSpam report\n--b\nContent-Type: message/feedback-report\n\n"
            "Feedback-Type: spam\nUser-Agent: X/1\nVersion: 1\nSource-IP: 198.51.100.94\n--b--\n")
    n = parse(("From: fbl@isp.example\nTo: abuse@provider.example\nSubject: FBL\nMIME-Version: 1.0\n"
               "Content-Type: multipart/report; report-type=feedback-report; boundary=\"b\"\n\n" + body).encode())
    assert (n.format, n.category) == ("arf", "spam")


def test_a_spam_filters_subject_tag_is_not_the_senders_label():
    assert declared_category("*****SPAM***** [External Sender] ABUSE-COMPLAINT (PHISHING): Verify your account",
                             "") == "phishing"
    assert declared_category("[Possible Spam] [Ticket ID: 4272] Attack: 198.51.100.95", "") is None


def test_a_spam_report_still_says_spam():
    assert declared_category("Spam run from 198.51.100.96", "") == "spam"


def test_a_bracketed_list_of_types_takes_the_first():
    assert declared_category("[ Cloudblock RBL / 16190 ] [ probe/scan/virus/trojan ] 198.51.100.97", "") == "scanning"


def test_a_ticket_token_names_the_type_by_its_most_specific_word():
    assert declared_category("Fwd: [Ticket#2022052910000172] NETSECDB_SPAM_PHISHING", "") == "phishing"
    assert declared_category("Fwd: [Ticket#2022031310000222] NETSECDB_HACKING_HTTP", "") == "malware"
    assert declared_category("Fwd: [Ticket#2022032110000118] NETSECDB_PORTSCAN_SMTP", "") == "scanning"


def test_a_token_of_words_we_do_not_know_is_no_label():
    assert declared_category("Re: CASE_REF_2024_0042 follow-up", "") is None


def test_type_of_abuse_threat_and_problem_lines_are_labels():
    assert declared_category("Report", "Type of Abuse: Portscan/Malware/Intrusion Attempts\n") == "scanning"
    assert declared_category("Report", "Threat: Phishing:URL\n") == "phishing"
    assert declared_category("Report", "Problem: Vulnerability scanner @198.51.100.98\n") == "scanning"


def test_a_key_that_names_the_type_is_a_label_but_a_neutral_key_is_not():
    assert declared_category("Incident 1", "Phishing URL: http://login.example/\nIP: 198.51.100.99\n") == "phishing"
    assert declared_category("Incident 1", "Reported URL: http://login.example/\nIP: 198.51.100.99\n") is None


def test_an_enumeration_of_types_declares_none():
    # "(spam, virus, malware, scam)": the sender's template lists what it detects.
    assert declared_category("[ALERT] Detection of 1 threats on your network (spam, virus, malware, scam)", "") is None
    n = notice("[ALERT] Detection of 1 threats on your network (spam, virus, malware, scam)",
               "Threat: Malware:URL\nURL: http://files.example/dropper.exe\n")
    assert n.category == "malware"


def test_scam_mail_is_spam_and_a_scam_site_is_fraud():
    assert declared_category("[External Sender] Scam Email Report", "") == "spam"
    assert declared_category("Scam site at http://shop.example/", "") == "fraud"


def test_subjects_that_name_compromise_exposure_and_scans():
    assert declared_category("Issue 2955767: Possible compromise at hxxp://site[.]example/", "") == "malware"
    assert declared_category("Exposed QNAP - DIVD-2022-00030 - Hostname: 198.51.100.100:443", "") == \
        "vulnerable_service"
    assert declared_category("Security System: IP 198.51.100.101 continuously scans our servers", "") == "scanning"
    assert declared_category("Vulnerable host used in reflection/amplification attack: 198.51.100.102", "") == "ddos"


def test_vulnerable_alone_in_a_subject_declares_nothing():
    # "HTTP vulnerability probes": a scan, not a vulnerable service.
    assert declared_category("HTTP vulnerability probes from 198.51.100.103", "") is None


def test_an_attacked_server_with_no_other_word_is_a_ddos_complaint():
    n = notice("Our server was attacked from your client", "Our server 192.0.2.30 was attacked from 198.51.100.104.\n")
    assert n.category == "ddos"


def test_an_attack_named_by_its_kind_is_not_taken_for_ddos():
    n = notice("Attack from 198.51.100.105", "Our server was attacked: 300 failed password attempts via sshd.\n")
    assert n.category == "brute_force"


def test_a_fraud_label_on_a_subject_that_names_phishing_is_phishing():
    assert declared_category("[CERT #3916954] [fraud] hosted on 198.51.100.106: phishing targeting investors", "") == \
        "phishing"
    assert declared_category("[CERT #3916955] [fraud] hosted on 198.51.100.107: fake investment shop", "") == "fraud"


def test_a_service_said_to_be_enabled_is_an_open_service():
    assert declared_category("Alerta: [AS 64496] servico Portmap habilitado", "") == "vulnerable_service"
    assert declared_category("Alerta: [AS 64496] trafego suspeito", "") is None


def test_intellectual_property_in_italian_and_a_brand_misuse_are_copyright_notices():
    assert notice("Violazione dei diritti di proprietà intellettuale",
                  "Il sito http://shop-moda.example/ viola i diritti di proprietà intellettuale del nostro cliente.\n"
                  ).category == "copyright"
    assert notice("Brand misuse on 198.51.100.108", "TELCO brand misuse on http://198.51.100.108/offer\n"
                  ).category == "copyright"


def test_a_brand_named_as_the_target_of_phishing_is_not_a_brand_misuse():
    assert notice("Fake login", "A phishing page imitates our brand: http://198.51.100.109/login.php\n"
                  ).category == "phishing"


def test_schadprogramm_is_german_for_malware_and_a_program_update_is_not():
    assert notice("Hinweis auf Schadprogramm-Infektionen", "Das System 198.51.100.110 ist mit einem "
                  "Schadprogramm infiziert.\n").category == "malware"
    assert notice("Hinweis", "Bitte aktualisieren Sie das Programm auf 198.51.100.111.\n").category != "malware"


def test_events_the_sender_recognised_as_a_type_declare_it():
    body = ("Dear Abuse Contact,\nwe received an alert about suspicious activity from your network.\n"
            "Below follows a listing of the event logs recognized as SQL Injection.\n"
            "  Mar 02 2024 @ 10:01:02 +01:00  198.51.100.60  GET /item.php?id=1%27%20OR%201=1 HTTP/1.1  200\n")
    assert declared_category("Suspicious activity from 198.51.100.60. Incident n. 4711", body) == "scanning"
    assert declared_category("Incident 4712", "The traffic was classified as a port scan by our IDS.") == "scanning"
    # False friends: a sentence that names no type we know, or only says where the attack came from.
    assert declared_category("Incident 4713", "Our IDS identified the attacks as coming from 198.51.100.61.") is None
    assert declared_category("Incident 4714", "These events are classified as info only.") is None


def test_a_fraudulent_web_site_key_declares_fraud():
    body = ("The NCCIC is requesting assistance in verifying possible malicious activity hosted on a system\n"
            "registered to you. The domain and paths may lead to malicious downloads.\n"
            "The site spoofs a large web shop.\nFraudulent web site:\n    https[:]//shop-deals[.]example/\n"
            "    (198.51.100.70)\n")
    assert declared_category("Incident number INC0001", body) == "fraud"
    # False friend: a line about fraudulent payments names no reported site.
    assert declared_category("Incident number INC0002", "Fraudulent transactions: 3\nSource: 198.51.100.71") is None


def test_a_fraudulent_url_key_of_a_trademark_complaint_declares_no_fraud():
    body = ("Fraudulent URL:  http://brand-apps.example/\n\nThe domain above infringes our client's trademark\n"
            "(registration number 4711, USPTO).\nTrademark Owner - BRAND\n")
    assert declared_category("Domain Takedown", body) is None


def test_a_transit_providers_ticket_line_names_the_type_of_the_forwarded_complaint():
    # A transit provider forwards a complaint with one line per ticket; its legend of
    # deadlines lists every type (DMCA among them), which declares nothing.
    body = ("Dear customer,\n\n[Ticket 5521] Reporting Abuse (Phishing/419 Scam {email, content}) for IP address: "
            "198.51.100.40\n\nResponse times:\n* Phishing Attack - 1 Hr.\n* DMCA/Copyright - Three business days.\n")
    assert declared_category("Notification of Network Abuse Complaint", body) == "phishing"
    n = notice("Notification of Network Abuse Complaint", body)
    assert n.format != "dmca" and n.category == "phishing"
    spam = body.replace("(Phishing/419 Scam {email, content})", "(SPAM)")
    assert declared_category("Notification of Network Abuse Complaint", spam) == "spam"


def test_a_ticket_line_of_a_copyright_complaint_keeps_the_dmca_reading():
    # The false friend: the ticket line itself says DMCA.
    body = ("[Ticket 5522] Reporting Abuse (DMCA/Copyright) for IP address: 198.51.100.41\n\n"
            "Notice of claimed infringement: the user at 198.51.100.41 shared a copyrighted work.\n")
    assert declared_category("Notification of Network Abuse Complaint", body) == "copyright"
    assert notice("Notification of Network Abuse Complaint", body).format == "dmca"


def test_a_government_certs_unauthorised_activity_line_declares_the_type():
    body = ("We request assistance in verifying possible malicious activity hosted on your system.\n"
            "Please see the containing IP and URL sourcing unauthorized activities: Phishing\n"
            "IP: 198.51.100.42\nURL: hxxp://login-bank.example/verify\nThe domain may lead to malicious downloads.\n")
    assert declared_category("Incident number INC0001", body) == "phishing"
    # An empty field declares nothing.
    assert declared_category("Incident number INC0002",
                             body.replace("activities: Phishing", "activities:")) is None


def test_a_vulnerability_named_in_the_subject_declares_a_vulnerable_service():
    assert declared_category("HP iLO vulnerability - ref 2021-39 - IP address: 198.51.100.43", "") == \
        "vulnerable_service"
    assert declared_category("Computer and Network Vulnerabilities and your Acceptable Use Policy", "") == \
        "vulnerable_service"
    # The false friend: an attack that exploits a vulnerability is an attack.
    assert declared_category("Exploit attempts against a vulnerability from 198.51.100.44", "") == "scanning"


def test_a_host_said_to_be_spamming_in_the_subject_is_spam():
    assert declared_category("[External Sender] Your customer at [198.51.100.45] is spamming.", "") == "spam"
    # The false friend: a blocklist's name that starts with "spam" names no type.
    assert declared_category("Spamhaus SBL listing SBL12345 for 198.51.100.46", "") is None


def test_an_attack_vector_line_declares_its_one_known_type():
    # US-CERT-style incident forms: "Attack Vectors: Attrition/Scanning" (attrition names no type of ours).
    assert declared_category("Cyber Security Incident Notification", "> Attack Vectors: Attrition/Scanning\n") == \
        "scanning"
    # The false friends: a line of counts, and a line that names no type we know.
    assert declared_category("Incident 7", "Vectors: 3\nAttack Vectors: Attrition\n") is None


def test_an_open_service_named_in_the_subject_outranks_what_it_can_be_abused_for():
    # en: the body says what an open memcached can be abused for; the subject says what it is.
    n = notice("[CERT-4410] Open memcached servers in AS64496",
               "Our scans found memcached answering on UDP 11211 at 203.0.113.41 (2026-12-01 08:00:00 UTC).\n"
               "Such servers are abused for DDoS amplification attacks; a DDoS of this kind reaches many Gbps.\n")
    assert n.category == "vulnerable_service"
    # de and nl: "Offene Redis-Server", "Openstaande DNS-resolvers".
    assert declared_category("[CB#77] Offene Redis-Server in Ihrem Netz", "") == "vulnerable_service"
    assert declared_category("Offene Dienste in AS64496", "") == "vulnerable_service"
    assert declared_category("Openstaande DNS-resolvers in uw netwerk", "") == "vulnerable_service"


def test_open_without_a_service_after_it_declares_nothing():
    # False friends: a ticket that is open, an open redirect, a DDoS through open servers.
    assert declared_category("Open ticket 5521 regarding your server", "") is None
    assert declared_category("Open redirect on shop.example", "") is None
    assert declared_category("DDoS attack via open memcached servers", "") == "ddos"


def test_a_sender_that_says_what_it_received_declares_the_type():
    body = ("Dear Sir/Madam,\nwe have received multiple brute-force password attacks on one of our managed "
            "servers. The attack was carried out by a botnet of some 10,000 hosts; 198.51.100.61 is one of them.\n")
    assert declared_category("[Ticket ID: 5120] Abuse report", body) == "brute_force"
    assert notice("[Ticket ID: 5120] Abuse report", body).category == "brute_force"
    assert declared_category("Abuse", "We observed port scan attempts from 198.51.100.3 on 2026-12-01.") == "scanning"


def test_attacks_without_a_named_type_declare_nothing():
    # False friends: the sentence names no type, or names the report, not the attack.
    assert declared_category("Abuse", "We have detected attacks from 198.51.100.3 against our network.") is None
    assert declared_category("Abuse", "We have received a report about attacks from your IP 198.51.100.3.") is None


def test_chinese_and_japanese_type_names_in_a_subject_declare_the_type():
    assert declared_category("请求移除托管的钓鱼网站 - hxxps://shop.customer.example", "") == "phishing"
    assert declared_category("侵权NBA事宜 CaseID-1001", "") == "copyright"
    assert declared_category("关于钓鱼诈骗网站的投诉", "") == "phishing"  # phishing beside fraud: phishing
    assert declared_category("フィッシングサイトの削除依頼", "") == "phishing"
    # False friends: a CJK subject that names no type, and accented Latin text.
    assert declared_category("您好，关于您的服务器 198.51.100.8", "") is None
    assert declared_category("Réclamation: café", "") is None


def test_a_419_or_advance_fee_scam_is_mail_and_so_spam():
    assert declared_category("[External Sender] 419 SCAM", "") == "spam"
    assert declared_category("Advance-fee scam from 198.51.100.4", "") == "spam"
    # False friends: a scam shop, and 419 inside a ticket number.
    assert declared_category("Scam shop at 198.51.100.4", "") == "fraud"
    assert declared_category("Scam site, ticket 4190", "") == "fraud"


def test_a_c2_server_named_in_the_subject_is_malware_infrastructure():
    n = notice("C2 servers hosted on your network REF-2026-1128",
               "Two of your servers act as command and control for a campaign.\n\n"
               "IP and port: 198.51.100.201:8080\nLast seen: 27-11-2026 17:31 UTC\n")
    assert n.category == "malware"
    assert declared_category("[CERT#2026112801] Emotet C&C-Server", "") == "malware"
    assert category_of("c2") == "malware"


def test_a_botnet_c2_keeps_the_senders_word_botnet():
    # False friend: "Botnet C2" names the botnet first, and a bot calling its C2 is a bot.
    assert notice("Abuse Notice - Botnet C2", "We identified a botnet C2 at 198.51.100.202 TCP/23.\n").category == "botnet"
    assert declared_category("[Tracker] botnet C&C servers on your network", "") == "botnet"
    n = notice("Infected hosts in your network",
               "These hosts connected to our sinkhole of a command and control server:\n198.51.100.203\n")
    assert n.category == "botnet"


def test_a_polish_notice_of_a_publicly_reachable_service_is_a_vulnerable_service():
    n = notice("[CERT #4000001] Informacja o dostępnej usłudze: Modbus",
               "Dzień dobry,\n\nw Państwa sieci widzimy publicznie dostępne usługi Modbus:\n"
               "- 198.51.100.204:502 [tcp]\n\nProsimy o sprawdzenie.\n")
    assert n.category == "vulnerable_service"
    assert notice("Powiadomienie", "W ciągu ostatnich dni zaobserwowaliśmy publicznie dostępne usługi RDP:\n"
                  "- 198.51.100.205:3389\n").category == "vulnerable_service"


def test_a_polish_notice_about_phishing_is_not_a_vulnerable_service():
    # False friend: "dostępny" alone (a page "available" at an address) names no open service.
    n = notice("[CERT #4000002] Phishing na stronie", "Strona phishingowa jest dostępna pod adresem "
               "https://bank-login.example/pl (198.51.100.206).\n")
    assert n.category == "phishing"


CERT_FORWARD = ("Hallo,\n\nein Partner meldet einen Vorfall in Ihrem Netz:\n\n"
                "IP: 198.51.100.211\n\nGruß\nCERT-Team\n--\nCERT, Musterstraße 1, Bonn\n"
                "Web: https://www.cert.example/\n\n"
                "---- {marker} ---\n> Hello,\n> a sensor of ours logged this host.\n>\n"
                "> Attack Vectors: Attrition/Scanning\n>\n> IP:198.51.100.211\n")


def test_the_type_line_of_a_notice_forwarded_below_the_signature_is_read():
    n = notice("Fwd: [CERT#2026112801] Cyber Security Incident Notification IP:198.51.100.211",
               CERT_FORWARD.format(marker="Weitergeleitete Nachricht von Partner CERT <info@partner.example>"))
    assert n.category == "scanning"
    assert [e.ip for e in n.events] == ["198.51.100.211"]


def test_a_signature_line_of_dashes_with_words_is_no_forward_marker():
    # False friend: "---- Weitergeleitete Nachricht ..." needs the marker words; a dashed line in a
    # signature ("---- Bonn office ---") does not open a forwarded message, so the text below stays cut.
    n = notice("Fwd: [CERT#2026112802] Cyber Security Incident Notification IP:198.51.100.211",
               CERT_FORWARD.format(marker="Bonn office von Montag bis Freitag"))
    assert n.category != "scanning"
