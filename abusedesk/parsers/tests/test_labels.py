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
