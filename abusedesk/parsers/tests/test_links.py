"""Which links and hosts of a notice are the reported ones (issue 18): a link
is an offender only when the notice reports it. The original work, the
brand's real site, proof of rights, pictures, signature links and tracking
redirects are context; a site named without a URL, the origin Cloudflare
names and a wrapped or HTML-only link are read. Each rule: the true case and
the false friend it must leave alone. The samples are made up."""

from abusedesk.parsers import parse
from abusedesk.parsers.extract import find_urls
from abusedesk.parsers.mime import parse_mail


def mail(body: str, subject: str = "Notice of copyright infringement", sender: str = "notices@rights.example",
         headers: str = "") -> bytes:
    return (f"From: Rights Desk <{sender}>\nTo: abuse@provider.example\nSubject: {subject}\n"
            f"Message-ID: <n1@rights.example>\n{headers}\n{body}").encode()


def hosts(n) -> list[str]:
    return sorted({e.domain for e in n.events if e.domain})


def ips(n) -> list[str]:
    return sorted({e.ip for e in n.events if e.ip})


DMCA_TAIL = ("\nI have a good faith belief that this use is not authorized. Under penalty of perjury, the "
             "information in this notice is accurate.\n/s/ Jo Agent\n")


# --- the heading above a list of links --------------------------------------------------

def test_links_listed_under_an_original_work_heading_are_the_complainants_own():
    n = parse(mail("This is a DMCA notice.\n\nThe original material is located at the following URLs:\n"
                   "- https://www.studio-films.example/catalogue/\n- https://shop.studio-films.example/\n\n"
                   "The infringing material is located at:\nhttps://copies.example.net/watch/881\n" + DMCA_TAIL))
    assert hosts(n) == ["copies.example.net"]


def test_a_heading_that_calls_the_links_copies_of_the_original_reports_them():
    n = parse(mail("This is a DMCA notice.\n\nUnauthorised copies of the original work are at:\n\n"
                   "https://copies.example.net/watch/881\n" + DMCA_TAIL))
    assert hosts(n) == ["copies.example.net"]


def test_a_wrapped_sentence_about_the_original_photos_covers_the_link_on_its_next_line():
    n = parse(mail("This is a DMCA notice. Our photos were copied to https://copies.example.net/gallery/4.\n"
                   "The original photos, to which we own the exclusive\ncopyrights, can be found at: "
                   "https://www.photo-owner.example/\n" + DMCA_TAIL))
    assert hosts(n) == ["copies.example.net"]


def test_a_label_of_its_own_on_the_next_line_is_not_joined_to_the_one_above():
    n = parse(mail("This is a DMCA notice.\nOriginal Work: Summer Song (2021)\nInfringing URL: "
                   "https://copies.example.net/song.mp3\n" + DMCA_TAIL))
    assert hosts(n) == ["copies.example.net"]


def test_your_site_in_a_heading_is_not_our_site():
    n = parse(mail("This is a DMCA notice.\nMy rights are violated by material available upon your site at the "
                   "following URL(s):\n\nhttps://copies.example.net/a.html\nhttps://copies.example.net/b.html\n"
                   + DMCA_TAIL))
    assert hosts(n) == ["copies.example.net"]


def test_a_page_named_both_as_original_and_as_infringing_is_reported():
    n = parse(mail("This is a DMCA notice.\n1. The original material is located on my website at:\n"
                   "\thttp://lookalike.example.org/go?id=7\n\n2. The infringing material is located at:\n"
                   "\thttp://lookalike.example.org/go?id=7\n" + DMCA_TAIL))
    assert hosts(n) == ["lookalike.example.org"]


def test_the_agents_letter_of_authority_is_a_reference_by_its_file_name():
    n = parse(mail("This is a DMCA notice. Infringing: https://stream.example.net/loan-shark-movie.pdf\n"
                   "Our details are at the signature below.\n\nhttp://agency.example/LOA_STUDIO.pdf\n" + DMCA_TAIL))
    assert hosts(n) == ["stream.example.net"]


def test_proof_of_rights_and_film_databases_are_references():
    n = parse(mail("This is a DMCA notice about the film at https://www.imdb.com/title/tt0000001/.\n"
                   "Infringing: https://stream.example.net/film/1\n"
                   "The authorization letter, as proof that we act for the studio, is available at the following "
                   "link: https://files.rights-agency.example/loa.pdf\n" + DMCA_TAIL))
    assert hosts(n) == ["stream.example.net"]


def test_links_under_an_infringing_heading_are_kept_beside_the_stated_address():
    n = parse(mail("This is a DMCA notice. The infringing material appears on a website IP 198.51.100.31 for which "
                   "you are the host.\n\nThe infringing material is located at the following URLs:\n\n"
                   "https://copies.example.net/tags/a\n\nOur site: https://www.rights.example/\n" + DMCA_TAIL))
    assert [(e.domain, e.ip) for e in n.events] == [("copies.example.net", "198.51.100.31")]


def test_the_senders_links_are_still_dropped_when_the_notice_states_the_infringers_address():
    n = parse(mail("This is a DMCA notice.\nInfringer's IP Address: 198.51.100.32\nProtocol: BitTorrent\n"
                   "Questions? https://help.rights.example/faq\n" + DMCA_TAIL))
    assert [(e.domain, e.ip) for e in n.events] == [(None, "198.51.100.32")]


def test_a_torrent_clients_version_is_not_an_address_the_client_ip_is():
    n = parse(mail("This is a DMCA notice.\nPeer IP address: 198.51.100.35\nBittorrent client: BitWombat 1.1.0.26\n"
                   "Client: 198.51.100.36\n<Attribute key=\"peerclientversion\" dataType=\"string\">1.1.0.27</Attribute>\n"
                   + DMCA_TAIL))
    assert ips(n) == ["198.51.100.35", "198.51.100.36"]


def test_a_copyright_notice_forwarded_as_an_attached_mail_is_read_from_the_attachment():
    raw = (b"From: Provider NOC <noc@upstream.example>\nTo: abuse@provider.example\n"
           b"Subject: FW: Notice of Claimed Infringement\nMIME-Version: 1.0\n"
           b'Content-Type: multipart/mixed; boundary="m"\n\n--m\nContent-Type: text/plain\n\n'
           b"Please handle the DMCA notice below.\n\n--m\nContent-Type: message/rfc822\n\n"
           b"From: antipiracy@rights.example\nSubject: Notice of Claimed Infringement\n\n"
           b"Infringement details:\nPeer IP address: 198.51.100.37\nProtocol: BitTorrent\n--m--\n")
    assert ips(parse(raw)) == ["198.51.100.37"]


def test_a_link_in_angle_brackets_under_a_proof_heading_is_the_proof():
    n = parse(mail("This is a DMCA notice about https://copies.example.net/v/1\n\nAUTHORIZATION LETTER FOR PROOF\n\n"
                   "<https://docs.example.org/file/d/77/view> https://docs.example.org/file/d/77/view\n" + DMCA_TAIL))
    assert hosts(n) == ["copies.example.net"]


def test_a_law_cited_after_ref_is_a_reference():
    n = parse(mail("Phishing site: https://login-bank.example.net/\nThis breaks the cybercrime law. "
                   "Ref: http://laws.gov.example/cybercrime.pdf\n", subject="Phishing site on your network",
                   sender="soc@relay.example"))
    assert hosts(n) == ["login-bank.example.net"]


def test_your_ref_naming_the_reported_link_is_not_a_citation():
    n = parse(mail("Dear Sirs,\n\nYour ref: https://news-copy.example/story?id=5\nPlease remove the page.\n",
                   subject="Trademark infringement", sender="soc@relay.example"))
    assert hosts(n) == ["news-copy.example"]


# --- pictures, signatures, tracking links ------------------------------------------------

def test_pictures_of_a_pasted_spam_are_not_its_links():
    n = parse(mail('Spam received, HTML source below.\n<a href="http://cheap-pills.example/rd/77">\n'
                   '<img src="https://img-host.example/a.png"></a>\n<div style=\'background-image: '
                   'url("https://img-host.example/b.png");\'>\n', subject="Spam from your customer"))
    assert hosts(n) == ["cheap-pills.example"]


def test_a_company_link_and_a_web_line_in_a_signature_are_the_senders():
    n = parse(mail("Phishing site: https://login-bank.example.net/verify\n\nRegards,\nBrandguard, Inc. "
                   "<https://www.brandguard-sec.example/>\nE-mail: soc@brandguard-sec.example\n"
                   "Web: https://www.brandguard-sec.example/contact\n"
                   "Tracking: https://mandrillapp.com/track/click/1/www.brandguard-sec.example?p=abc\n",
                   subject="Phishing site on your network", sender="soc@relay.example"))
    assert hosts(n) == ["login-bank.example.net"]


def test_a_website_line_without_a_contact_block_is_reported():
    n = parse(mail("Website: https://login-bank.example.net/verify\nPlease remove it.\n",
                   subject="Phishing site on your network", sender="soc@relay.example"))
    assert hosts(n) == ["login-bank.example.net"]


def test_the_impersonated_brands_site_is_not_reported_the_impersonating_one_is():
    n = parse(mail("The site https://bank-secure-login.example.net/ is impersonating https://www.bank.example/ "
                   "to steal credentials.\n", subject="Phishing site on your network", sender="soc@relay.example"))
    assert hosts(n) == ["bank-secure-login.example.net"]


def test_a_phishing_page_imitating_a_bank_at_a_url_is_reported():
    n = parse(mail("We found a phishing page imitating our bank at https://login-7.bank-lookalike.example/secure/\n"
                   "The official-looking phishing form is at https://form.bank-lookalike.example/\n",
                   subject="Phishing site on your network", sender="soc@relay.example"))
    assert hosts(n) == ["form.bank-lookalike.example", "login-7.bank-lookalike.example"]


def test_an_outlook_logo_link_and_links_below_the_signature_mark_are_the_senders():
    n = parse(mail("Phishing site: https://login-bank.example.net/\n\nRegards\n"
                   "[cid:image001.png@01D4]<http://www.soc-vendor.example/>\n--\nSOC Vendor | Main Street 1\n"
                   "Web: http://www.soc-vendor.example\n\n-----Original Message-----\nFrom: x@y.example\n"
                   "Click https://second-phish.example.org/login\n", subject="Phishing site on your network",
                   sender="soc@relay.example"))
    assert hosts(n) == ["login-bank.example.net", "second-phish.example.org"]


def test_a_signature_mark_in_a_body_with_crlf_line_ends_is_found():
    from abusedesk.parsers.roles import signature_span
    text = "Phishing site: https://login-bank.example.net/\r\n--\r\nVendor | Street 1\r\nWeb: http://www.v.example\r\n"
    assert signature_span(text) == (text.index("--"), len(text))
    assert signature_span("Phishing at https://a.example/ -- see below\r\n") == (45, 45)


def test_an_original_work_in_a_sentence_after_one_about_the_offence_is_still_the_original():
    n = parse(mail("This is a DMCA notice. The page https://copies.example.net/g/1 is illegal. The original photos, "
                   "to which we own the exclusive\ncopyrights, can be found at: https://www.photo-owner.example/\n"
                   "*A DOCUMENT PROVING THAT THE MATERIALS BELONG TO THE OWNER\n(OR COMPANY REPRESENTING)*"
                   "http://www.music-owner.example/\n" + DMCA_TAIL))
    assert hosts(n) == ["copies.example.net"]


def test_the_official_site_named_before_a_warning_about_scams_is_the_brands():
    n = parse(mail("Phishing site: https://bank-login.example.net/\nCustomers should refer only to their official "
                   "website to avoid falling victim to scams: https://www.bank.example/\n",
                   subject="Phishing site on your network", sender="soc@relay.example"))
    assert hosts(n) == ["bank-login.example.net"]


def test_the_official_site_named_in_brackets_is_the_brands_a_cloned_copy_is_not():
    n = parse(mail('The phishing website imitates the official website of the\nCivil Registry Office ("https://'
                   'registry.gov.example/") and steals logins.\nThe official site of the bank was cloned to '
                   "https://bank-clone.example.net/\n", subject="Phishing site on your network", sender="soc@relay.example"))
    assert hosts(n) == ["bank-clone.example.net"]


# --- sites named without a URL -------------------------------------------------------------

def test_a_phishing_site_named_as_a_bare_domain_is_read_the_original_site_is_not():
    n = parse(mail("Name: SOC Team\n\nPhishing Site: swap.lookalike-dex.example\n\nOriginal Site: dex.example\n\n"
                   "The phishing site is fraudulently impersonating our client.\n", subject="Phishing site report",
                   sender="soc@relay.example"))
    assert hosts(n) == ["swap.lookalike-dex.example"]


def test_a_bare_domain_under_a_url_heading_is_read_the_attacked_brand_below_is_not():
    n = parse(mail("Your service is being used for a phishing attack. It is available at the following\nURL:\n\n"
                   "fake-store [.] example/\n\nIt is currently conducting a phishing attack against the users of the\n"
                   "website:\n\nreal-store.example\n", subject="Phishing site report", sender="soc@relay.example"))
    assert hosts(n) == ["fake-store.example"]


def test_a_copyright_notice_naming_the_domain_in_a_sentence_reports_it():
    n = parse(mail("This is a notice of copyright infringement on the website with the domain name "
                   "knockoff-shop.example, which you host. Contact us at legal@rights.example or www.rights.example.\n"
                   + DMCA_TAIL))
    assert hosts(n) == ["knockoff-shop.example"]


def test_a_site_named_with_the_address_it_is_located_at_is_one_event():
    n = parse(mail("You are the upstream provider for a website hosting a fraudulent domain name:\n\n"
                   "crypto-double.example\n\nIt is located at IP address 198.51.100.93.\n",
                   subject="Fraudulent website crypto-double.example", sender="alerts@netcraft.com"))
    assert [(e.domain, e.ip) for e in n.events] == [("crypto-double.example", "198.51.100.93")]


def test_a_domain_in_a_sentence_without_such_words_is_not_reported():
    n = parse(mail("Phishing page: https://login-bank.example.net/\nWe use mailer.example for our alerts.\n",
                   subject="Phishing site on your network", sender="soc@relay.example"))
    assert hosts(n) == ["login-bank.example.net"]


# --- Cloudflare -------------------------------------------------------------------------------

CF = ("Cloudflare received an abuse report regarding:\nshop.example\n\n"
      "The actual host for shop.example  are the following IP addresses. 198.51.100.20, 2001:db8::20. Using the "
      "following command, you can confirm the site in question is hosted at that IP address: "
      'curl -v -H "Host: shop.example" 198.51.100.20/\n\nBelow is the report we received:\n\n'
      "Reporter's Name: A Person\nReported URLs:\n\n\thttps://shop.example/item/1\n\thttps://shop.example/item/2\n\n"
      "Original Work: our catalogue http://catalogue.brand.example/originals?id=1\n\n"
      "Logs or Evidence of Abuse: this copies our work\nIP Address: 104.21.7.9\nLegitimate sites:\n"
      " - http://203.0.113.66/\n\nPlease address this issue with your customer.\n")


def test_cloudflare_names_every_origin_in_its_sentence_and_only_its_listed_urls():
    n = parse(mail(CF, subject="[abc123]: Cloudflare received an abuse report regarding one of your customers.",
                   sender="abuse@cloudflare.com"))
    assert n.format == "cloudflare"
    assert ips(n) == ["198.51.100.20", "2001:db8::20"]
    assert sorted({e.url for e in n.events}) == ["https://shop.example/item/1", "https://shop.example/item/2"]


def test_cloudflare_without_an_origin_sentence_still_takes_a_labelled_origin():
    body = CF.replace("The actual host for shop.example  are the following IP addresses. 198.51.100.20, "
                      "2001:db8::20. Using the following command, you can confirm the site in question is hosted "
                      'at that IP address: curl -v -H "Host: shop.example" 198.51.100.20/',
                      "Origin IP: 198.51.100.21")
    n = parse(mail(body, subject="Cloudflare abuse report", sender="abuse@cloudflare.com"))
    assert ips(n) == ["198.51.100.21"]


def test_cloudflare_with_only_a_hostname_as_actual_host_takes_the_address_of_its_command():
    body = CF.replace("are the following IP addresses. 198.51.100.20, 2001:db8::20.", "is shop.example .")
    n = parse(mail(body, subject="Cloudflare abuse report", sender="abuse@cloudflare.com"))
    assert ips(n) == ["198.51.100.20"]


# --- extraction ---------------------------------------------------------------------------------

def test_a_host_with_an_empty_label_is_a_typo_not_a_url():
    assert find_urls("https://files.example/a and https://files..example/b") == ["https://files.example/a"]


def test_wrapped_links_are_unwrapped_also_when_the_wrapper_drops_a_slash_or_is_nested():
    text = ("<https://urldefense.com/v3/__http:/bad-site.example/?id=7__;!!AbC$> and "
            "<https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fscanmail.trustwave.com%2F%3Fc%3D1"
            "%26d%3Dxyz%26u%3Dhttps%253a%252f%252ffake-id.example%252f&data=04>")
    assert find_urls(text) == ["http://bad-site.example/?id=7", "https://fake-id.example/"]


def test_a_blank_plain_part_does_not_hide_the_html_notice():
    raw = (b"From: a@rights.example\nTo: abuse@provider.example\nSubject: Phishing site on your server\n"
           b'MIME-Version: 1.0\nContent-Type: multipart/alternative; boundary="b"\n\n--b\n'
           b"Content-Type: text/plain\n\n \n\n--b\nContent-Type: text/html\n\n"
           b"<p>A phishing site is hosted on <b>198.51.100.44</b>.</p>\n--b--\n")
    assert "198.51.100.44" in parse_mail(raw).body_text
    with_plain = raw.replace(b"text/plain\n\n \n", b"text/plain\n\nSee the HTML part.\n")
    assert "198.51.100.44" not in parse_mail(with_plain).body_text


def test_a_defanged_name_wrapped_after_its_dot_is_joined_a_sentence_after_one_is_not():
    from abusedesk.parsers.extract import refang
    assert find_urls(refang("hxxps://www [.] app-store-copy [.]\ncom/apk/download/\n")) == [
        "https://www.app-store-copy.com/apk/download/"]
    assert refang("the host example[.]\nNext we looked") == "the host example.\nNext we looked"


def test_a_phishing_notice_whose_headline_says_fraud_is_fraud_whatever_its_body_counts():
    n = parse(mail("A website hosted on your server is involved in this phishing scheme: https://pc-fix.example.net/\n"
                   "Other pages involved in this phishing scheme: https://pc-fix.example.net/a\n",
                   subject="[1217] Web site involved in fraudulent scheme against Example Corp found on server",
                   sender="antifraud@cscglobal.com"))
    assert n.category == "fraud"
    n = parse(mail("A website hosted on your server is involved in a phishing scheme: https://pc-fix.example.net/\n",
                   subject="[1218] Web site found on server", sender="antifraud@cscglobal.com"))
    assert n.category == "phishing"


def test_a_space_after_the_scheme_is_closed_a_scheme_at_a_lines_end_is_left():
    from abusedesk.parsers.extract import refang
    assert find_urls(refang("the website -\thttps:// nft-copy.example (the Website)")) == ["https://nft-copy.example"]
    assert refang("see https://\nexample") == "see https://\nexample"


def test_the_host_of_a_context_link_does_not_come_back_as_a_bare_domain():
    n = parse(mail("The site trademark-copy.example uses our client's mark.\n\nThe Brandguard Privacy Policy is "
                   "available at: https://www.brandguard.example/legal/privacy.\nThe app edestek.apk is not ours.\n",
                   subject="Trademark notice", sender="notices@mailer.example"))
    assert hosts(n) == ["trademark-copy.example"]
    n = parse(mail("The link forwards them to this fraudulent website:\n\nhtXtp://fraud-radio.example/\n"
                   "(Remove the X please)\n", subject="Fraud notice", sender="notices@mailer.example"))
    assert hosts(n) == ["fraud-radio.example"]


def test_a_bare_domain_in_a_greeting_or_named_as_the_official_site_is_not_reported():
    n = parse(mail("Dear provider.example,\n\nthe website at bank-invest-copy.example is attempting to impersonate "
                   "Example Bank (official website: bank.example) and obtain credentials.\n",
                   subject="Fraudulent website", sender="notices@mailer.example"))
    assert hosts(n) == ["bank-invest-copy.example"]


def test_a_providers_list_of_response_times_per_type_is_no_dmca_notice():
    body = ("We received a complaint about phishing from your IP address 198.51.100.38, see below.\n"
            "Our response times:\n•  Phishing Attack - 1 Hr.\n•  DMCA/Copyright - Three business days.\n"
            "•  Malware content - 8 Hrs.\n\nPhishing site: https://login-bank.example.net/\n")
    n = parse(mail(body, subject="[Ticket 77] Reporting Abuse (Phishing) for IP address: 198.51.100.38",
                   sender="abuse@upstream.example"))
    assert n.format != "dmca"
    n = parse(mail("Notice of DMCA infringement - 3 days to respond.\nInfringing: https://copies.example.net/x\n"
                   + DMCA_TAIL, subject="DMCA notice"))
    assert n.format == "dmca"


def test_a_link_to_advice_for_the_recipient_is_a_reference():
    n = parse(mail("The shop on your server loads a card skimmer from hxxps[:]//skim-cdn[.]example/s[.]js.\n\n"
             "Customer data may have leaked. The data protection office offers a checklist that can help you "
             "decide whether to notify them:\nhttps://www.privacy-regulator.example/breach-check/\n",
             subject="CERT Incident CIR-1001", sender="ir@cert.example"))
    assert hosts(n) == ["skim-cdn.example"]


def test_a_phishing_page_that_claims_to_help_you_is_reported():
    # False friend: words of the offence before the advice words keep the link.
    n = parse(mail("The phishing page that says it will help you recover your account:\n"
             "https://account-help.example/recover\n", subject="Phishing", sender="ir@cert.example"))
    assert hosts(n) == ["account-help.example"]


def test_a_website_line_in_a_forwarded_signature_with_a_phone_number_is_the_senders_own():
    n = parse(mail("A partner reported scans from your network.\n\n"
                   "Attack Vectors: Scanning\nIP: 198.51.100.243\n\nBest,\nPartner CERT duty desk\n"
                   "Phone Number: +886-2-0000-0000\nWebsite: [3]https://www.partner-cert.example/\n",
                   subject="Cyber Security Incident Notification", sender="ir@cert.example"))
    assert ips(n) == ["198.51.100.243"] and hosts(n) == []


def test_a_website_line_without_contact_lines_is_still_read():
    # False friend: "Website:" alone in a report names the reported site.
    n = parse(mail("Phishing kit found.\nWebsite: https://login-check.example/kit/\n",
                   subject="Phishing", sender="ir@cert.example"))
    assert hosts(n) == ["login-check.example"]


_DMCA_ELEMENTS = ("This letter is official notification under Section 512(c) of the DMCA.\n"
                  "1. A physical or electronic signature of the owner.\nKim Lee\n"
                  "2. Identification of the copyrighted work claimed to have been infringed.\n"
                  "\"Lotus Dream\" - https://www.kimlee-art.example/lotus-dream\n"
                  "3. Identification of the material that is claimed to be infringing.\n"
                  "\"Lotus Dream copy\" - https://cdn7.shopcopy.example/3499-large/lotus.jpg\n")


def test_the_work_titled_under_the_statutes_identification_of_the_copyrighted_work_is_the_original():
    n = parse(mail(_DMCA_ELEMENTS))
    assert sorted({e.url for e in n.events if e.url}) == ["https://cdn7.shopcopy.example/3499-large/lotus.jpg"]


def test_a_titled_link_under_an_infringing_heading_is_reported():
    # False friend: a title before the link does not make it the original; its heading decides.
    n = parse(mail("The infringing copies are at:\n\"Lotus Dream\" - https://cdn7.shopcopy.example/lotus.jpg\n"))
    assert sorted({e.url for e in n.events if e.url}) == ["https://cdn7.shopcopy.example/lotus.jpg"]
