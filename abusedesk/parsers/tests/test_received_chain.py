"""Which hop of an attached or pasted spam mail's Received chain sent it, and
what else a reported mail names: each rule with the true case and the false
friend it must leave alone. Samples written for these tests."""

from abusedesk.parsers.base import ParseContext
from abusedesk.parsers.common import origin_hop


def test_a_receiver_without_a_usable_name_does_not_take_the_senders_relays_for_its_own():
    # qmail writes "by 0": the receiver's domain is unknown, and the names of the hops below
    # (the sender's own provider) must not be taken for it.
    chain = [
        "(qmail 4711 invoked from network); 2 Mar 2025 08:00:01 -0000",
        "from out7.mail.senderisp.example (HELO out8.mail.senderisp.example) (203.0.113.57) "
        "by 0 with ESMTPS; 2 Mar 2025 08:00:01 -0000",
        "from app12.int.senderisp.example (unknown [10.20.30.40]) by out8.mail.senderisp.example "
        "(Postfix) with ESMTP id 1A2B for <victim@mailbox.example>; Sun, 2 Mar 2025 13:30:00 +0530",
    ]
    hop = origin_hop(chain, ParseContext())
    assert hop is not None and hop.from_ip == "203.0.113.57"


def test_a_named_receivers_own_relays_are_still_skipped():
    # False friend: the top hop names the receiver; its own relay below is not the origin.
    chain = [
        "from mx2.mailbox.example (mx2.mailbox.example [198.51.100.9]) by store.mailbox.example "
        "with LMTP; 2 Mar 2025 08:00:02 -0000",
        "from out7.mail.senderisp.example (out7.mail.senderisp.example [203.0.113.57]) "
        "by mx2.mailbox.example with ESMTPS; 2 Mar 2025 08:00:01 -0000",
    ]
    hop = origin_hop(chain, ParseContext())
    assert hop is not None and hop.from_ip == "203.0.113.57"


def test_a_lower_hop_that_delivered_to_the_receivers_mailbox_still_names_the_receiver():
    # False friend: the top receiver names itself by an address only, but the hop below delivered
    # to the receiver's own mailbox ("for <...@mailbox.example>"): its host is the receiver's relay.
    chain = [
        "from 198.51.100.20 (EHLO in3.mailbox.example) by 10.1.2.3 with SMTPs; 2 Mar 2025 08:00:03 +0000",
        "from out7.mail.senderisp.example (out7.mail.senderisp.example [203.0.113.57]) "
        "by in3.mailbox.example with ESMTPS id 9F for <user@mailbox.example>; 2 Mar 2025 08:00:02 +0000",
    ]
    hop = origin_hop(chain, ParseContext())
    assert hop is not None and hop.from_ip == "203.0.113.57"



def test_a_receiver_known_by_its_address_does_not_take_a_relay_that_delivered_elsewhere():
    # The sender's relay service states the recipient of another provider: not the receiver's.
    chain = [
        "from 203.0.113.232 (EHLO out-f232.relaysvc.example) by 10.253.31.88 with SMTPs; "
        "Mon, 27 May 2024 17:55:16 +0000",
        "from shop.sender.example (shop.sender.example [198.51.100.235]) by smtp-relay.relaysvc.example "
        "with ESMTPS id 7 for <reader@mailbox.example>; Mon, 27 May 2024 10:55:16 -0700",
    ]
    hop = origin_hop(chain, ParseContext())
    assert hop is not None and hop.from_ip == "203.0.113.232"


def test_a_hop_that_delivered_into_the_recipients_own_provider_is_the_receivers_under_a_hosting_top():
    # The mailbox provider's mail is hosted by another (the top hop is the host's store): the
    # provider's MX is a hop further down, its inbound host handing over from a public address.
    chain = [
        "from 127.0.0.1 by store-prod1.mailhost.example with HTTP; Sun, 6 Aug 2023 00:12:32 +0000",
        "from 198.51.100.238 (EHLO in822.isp.example) by 10.196.198.206 with SMTPs; Sun, 06 Aug 2023 00:12:32 +0000",
        "from out2150.bulk.example (out2150.bulk.example [203.0.113.150]) by in822.isp.example with ESMTPS id 37"
        " for <reader@isp.example>; Sat, 5 Aug 2023 17:12:30 -0700",
    ]
    hop = origin_hop(chain, ParseContext())
    assert hop is not None and hop.from_ip == "203.0.113.150"


def test_a_sender_side_hop_that_names_the_recipient_does_not_make_its_host_the_receivers():
    # False friend: the sender's own relay logs the recipient too, in another provider's domain.
    chain = [
        "from out2.sender.example (out2.sender.example [203.0.113.151]) by mx1.isp.example with ESMTPS id 5"
        " for <reader@isp.example>; Sat, 5 Aug 2023 17:12:31 -0700",
        "from app4.sender.example (app4.sender.example [198.51.100.152]) by out2.sender.example with ESMTP id 4"
        " for <reader@isp.example>; Sat, 5 Aug 2023 17:12:30 -0700",
    ]
    hop = origin_hop(chain, ParseContext())
    assert hop is not None and hop.from_ip == "203.0.113.151"


def _trap_mail(received: str) -> bytes:
    return (received + "From: Deals <news@deals.example>\nTo: info@trapbox.example\n"
            "Subject: Only today: 70% off\nMessage-ID: <d1@deals.example>\n\n"
            "Click here for the best deals of the year.\n").encode()


def test_a_trap_mail_forwarded_by_the_traps_own_mx_names_the_host_that_sent_to_that_mx():
    from abusedesk.parsers import parse
    n = parse(_trap_mail(
        "Received: from mx04.trapbox.example (mx04.trapbox.example [198.51.100.151])\n"
        "\tby fwd.collector.example with ESMTPS id 77; Sun, 2 Mar 2025 12:00:01 +0000\n"
        "Received: from bulk7.deals.example ([203.0.113.8])\n"
        "\tby mx04.trapbox.example with ESMTP id Q1; Sun, 2 Mar 2025 13:00:00 +0100\n"))
    assert sorted({e.ip for e in n.events if e.ip}) == ["203.0.113.8"]


def test_a_trap_mail_handed_straight_to_the_collector_names_that_host():
    # False friend: no hop of the trap's own domain; the host that delivered is the sender.
    from abusedesk.parsers import parse
    n = parse(_trap_mail(
        "Received: from bulk7.deals.example (bulk7.deals.example [203.0.113.8])\n"
        "\tby fwd.collector.example with ESMTPS id 78; Sun, 2 Mar 2025 12:00:01 +0000\n"))
    assert sorted({e.ip for e in n.events if e.ip}) == ["203.0.113.8"]


def _forwarded_spam(originating_ip: str) -> bytes:
    return ("From: Pat <pat@reader.example>\nTo: abuse@provider.example\nSubject: Fwd: phishing\n"
            "Message-ID: <f1@reader.example>\n\nPlease stop this sender.\n\n"
            "Received: from out40.smtp.hoster.example (out40.smtp.hoster.example [203.0.113.23])\n"
            "\tby lists.reader.example (Postfix) with ESMTPS id 4AF; Fri, 7 Mar 2025 10:00:02 +0000\n"
            "Received: from web514.hoster.example ([203.0.113.159])\n"
            "\tby scan10.hoster.example with esmtpsa; Fri, 7 Mar 2025 10:00:01 +0000\n"
            "From: Card Service <alerts@cardservice.example>\nSubject: Your card is blocked\n"
            f"X-Originating-IP: {originating_ip}\n\nLog in to unblock it.\n").encode()


def test_an_originating_ip_that_is_a_server_of_the_senders_own_chain_is_not_taken():
    from abusedesk.parsers import parse
    n = parse(_forwarded_spam("203.0.113.159"))
    assert sorted({e.ip for e in n.events if e.ip}) == ["203.0.113.23"]


def test_an_originating_ip_of_a_client_outside_the_chain_is_taken_beside_the_sending_hop():
    # False friend: the webmail user's own address, named nowhere else in the chain.
    from abusedesk.parsers import parse
    n = parse(_forwarded_spam("198.51.100.77"))
    assert sorted({e.ip for e in n.events if e.ip}) == ["198.51.100.77", "203.0.113.23"]


# --- a mail attached to a notice about network activity ----------------------------------

def _with_attached_mail(subject: str, body: str, attached_body: str,
                        sender: str = "relay1.tracker.example [198.51.100.20]") -> bytes:
    from email.message import EmailMessage
    inner = EmailMessage()
    host, ip = sender.split()
    inner["Received"] = (f"from {host} ({host} {ip}) "
                         "by mx.collector.example with ESMTP; Sat, 8 Mar 2025 06:00:00 +0000")
    inner["From"] = "Tracker <reports@tracker.example>"
    inner["Subject"] = subject
    inner.set_content(attached_body)
    outer = EmailMessage()
    outer["From"] = "Tracker <reports@tracker.example>"
    outer["To"] = "abuse@provider.example"
    outer["Subject"] = subject
    outer.set_content(body)
    outer.add_attachment(inner)
    return outer.as_bytes()


def _ips(raw: bytes) -> list[str]:
    from abusedesk.parsers import parse
    return sorted({e.ip for e in parse(raw).events if e.ip})


def test_a_botnet_notice_whose_table_is_in_an_attached_mail_names_the_tables_hosts_not_its_relay():
    raw = _with_attached_mail(
        "[March 08] IP addresses of suspected botnet computers listed inside",
        "Dear abuse team, the attached report lists hosts of your network seen in a botnet.",
        "Timestamp (UTC)      | Infected host  | Botnet\n"
        "2025-03-08 04:12:55 | 203.0.113.132 | mirai\n"
        "2025-03-08 04:40:01 | 203.0.113.153 | mirai\n")
    assert _ips(raw) == ["203.0.113.132", "203.0.113.153"]


def test_a_ddos_notice_that_names_the_attacker_ignores_the_attached_earlier_notice():
    raw = _with_attached_mail(
        "Abuse report - ddos - 203.0.113.8",
        "Reported IP: 203.0.113.8\nType: ddos\nOur server was flooded from this address.",
        "Our first notice about this attack, sent from 2001:db8:77::1 monitoring.",
        sender="out4.hostedmail.example [198.51.100.34]")  # the reporter's mail host, another domain
    assert _ips(raw) == ["203.0.113.8"]


def test_an_attached_spam_mail_still_names_the_host_that_sent_it():
    # False friend: a spam complaint's attached mail is the offending mail itself.
    raw = _with_attached_mail("Spam: cheap watches", "Spam received, see the attached mail.",
                              "Cheap watches! Order now, our shop server is 192.0.2.200.",
                              sender="bulk3.watches.example [198.51.100.20]")
    assert _ips(raw) == ["198.51.100.20"]


# --- pasted chains whose folds lost their indentation ----------------------------------

_UNFOLDED = ("Received: from relay9.bulk.example (203.0.113.57) by\n"
             "in2.mailhost.example (10.13.18.9) with Microsoft SMTP Server; Sun, 3 Apr 2025 21:20:51 +0000\n"
             "Received: from in2.mailhost.example\n"
             "(2001:db8:408:ff::83) by gw7.mailhost.example\n"
             "(2001:db8:408:ff::31) with Microsoft SMTP Server; Sun, 3 Apr 2025 21:20:52 +0000\n")


def test_a_pasted_chain_whose_folds_lost_their_indent_is_read_whole():
    from abusedesk.parsers.freetext import _pasted_received
    chain = _pasted_received(_UNFOLDED)
    assert len(chain) == 2
    assert "10.13.18.9" in chain[0] and "2001:db8:408:ff::83" in chain[1]
    from abusedesk.parsers import parse
    n = parse(("From: Kim <kim@reader.example>\nTo: abuse@provider.example\nSubject: phishing mail\n"
               "Message-ID: <k1@reader.example>\n\nSee the headers below.\n\n" + _UNFOLDED).encode())
    assert sorted({e.ip for e in n.events if e.ip}) == ["203.0.113.57"]


def test_a_line_after_a_complete_received_header_is_not_taken_into_it():
    # False friend: a header that ends with its date is complete; the prose after it is not part of it.
    from abusedesk.parsers.freetext import _pasted_received
    chain = _pasted_received("Received: from a.example (a.example [203.0.113.9]) by b.example with SMTP;"
                             " Sun, 3 Apr 2025 21:20:51 +0000\n(This one came from 198.51.100.3) by night.\n")
    assert len(chain) == 1 and "198.51.100.3" not in chain[0]


def test_a_comment_line_that_lost_its_fold_stays_in_its_header():
    # A "show original" copy: the (rdns [address]) comment of the from clause on a line of its own.
    from abusedesk.parsers.freetext import _pasted_received
    chain = _pasted_received("Received: from vps77.cloud.example\n(vps77.cloud.example. [198.51.100.77])\n"
                             "by mx.mailbox.example with ESMTPS id x12;\nMon, 7 Apr 2025 21:37:54 -0700 (PDT)\n")
    assert len(chain) == 1 and "198.51.100.77" in chain[0]


# --- the sender names the offender in its own words -------------------------------------

_LIST_RELAYED = ("Received: from mx3.mailbox.example (mx3.mailbox.example [192.0.2.81])\n"
                 "\tby store1.mailbox.example with LMTP; Thu, 10 Apr 2025 15:27:23 +0000\n"
                 "Received: from relay-17.lists.example (relay-17.lists.example [203.0.113.17])\n"
                 "\tby mx3.mailbox.example with ESMTP; Thu, 10 Apr 2025 15:27:22 +0000\n"
                 "From: Daily Deals <deals@bestnews.example>\nSubject: You won\n\nClaim it now.\n")


def _complaint(own_words: str) -> list[str]:
    return _ips(("From: Lee <lee@reader.example>\nTo: abuse@provider.example\nSubject: spam again\n"
                 f"Message-ID: <l1@reader.example>\n\n{own_words}\n\n" + _LIST_RELAYED).encode())


def test_the_offender_named_in_the_senders_own_words_replaces_the_relay_that_carried_the_evidence():
    assert _complaint("Your customer bestnews.example (198.51.100.229) is still spamming.\n"
                      "Please remove this criminal from your network.") == ["198.51.100.229"]


def test_a_complaint_whose_own_words_name_no_address_still_names_the_hop_that_sent_it():
    # False friend: without an address of the sender's own, the chain is all there is.
    assert _complaint("Another spam from your network, headers below.") == ["203.0.113.17"]


def test_the_reporters_own_server_in_its_words_does_not_replace_the_hop_that_sent_it():
    # False friend: an address the words mark as the reporter's own is no named offender.
    assert _complaint("Our mail server 192.0.2.25 received this spam again.") == ["203.0.113.17"]


def test_the_rest_of_a_comment_left_open_at_a_line_end_stays_in_its_header():
    from abusedesk.parsers.freetext import _pasted_received
    chain = _pasted_received("Received: from out41.mailer.example (out41.mailer.example.\n"
                             "[198.51.100.41]) by mx.mailbox.example with SMTPS id g17;\n"
                             "Sun, 31 Dec 2023 00:37:43 -0800 (PST)\n")
    assert len(chain) == 1 and "198.51.100.41" in chain[0]


def test_a_chain_copied_with_no_break_spaces_is_read_as_headers():
    # Mail clients write a copied header's fold indentation as U+00A0 in HTML.
    nb = "\u00a0"
    body = ("Junk again, headers below.\n\n"
            f"Received:{nb}from{nb}out5.bulk.example{nb}(out5.bulk.example{nb}[203.0.113.55])\n"
            f"{nb}by{nb}mx.isp.example{nb}with{nb}ESMTPS{nb}id{nb}7;{nb}Tue,{nb}22{nb}Nov{nb}2022{nb}10:24:21{nb}-0500\n"
            f"Received:{nb}from{nb}gw4.relay.example{nb}(2001:db8:408:e7::19)\n"
            f"{nb}by{nb}out5.bulk.example{nb}(2001:db8:a03:478::19){nb}with{nb}SMTP;{nb}Tue,{nb}22{nb}Nov{nb}2022\n")
    raw = ("From: Ann <ann@reader.example>\nTo: abuse@provider.example\nSubject: spam\n"
           "Message-ID: <a1@reader.example>\nContent-Type: text/plain; charset=utf-8\n"
           "Content-Transfer-Encoding: 8bit\n\n" + body).encode()
    assert _ips(raw) == ["203.0.113.55"]


def test_a_named_offender_also_replaces_the_webmail_client_of_the_evidence():
    # The sender names the spammer; the pasted mail's X-Originating-IP is its evidence too.
    from abusedesk.parsers import parse
    raw = _forwarded_spam("198.51.100.77").replace(b"Please stop this sender.",
                                                   b"SPAMMER: http://198.51.100.226/cl/105809")
    assert sorted({e.ip for e in parse(raw).events if e.ip}) == ["198.51.100.226"]


# --- several mails pasted one under another ----------------------------------------------

def _pasted_mail(ip: str, n: int) -> str:
    return (f"{ip}\n\nReceived: from *** ([{ip}]) by mx{n}.mailbox.example with SMTP\n"
            f"id <x{n}>; Thu, 3 Nov 2022 21:00:0{n} +0900\n"
            f"Received: from *** by {ip}; Thu, 03 Nov 2022 08:00:0{n} -0400\n"
            f"From: ********\nTo: ********\nSubject: ********\nMessage-Id: ********\n\n")


def test_each_pasted_mail_names_its_own_sender():
    from abusedesk.parsers import parse
    body = ("Some of your hosts are used for sending spam.\n\nIP Addresses   Email-Header\n\n"
            + _pasted_mail("198.51.100.80", 1) + _pasted_mail("198.51.100.81", 2) + _pasted_mail("203.0.113.82", 3))
    raw = ("From: CERT <incident@cert.example>\nTo: abuse@provider.example\nSubject: Spam from your network\n"
           "Message-ID: <c1@cert.example>\n\n" + body).encode()
    assert sorted({e.ip for e in parse(raw).events if e.ip}) == ["198.51.100.80", "198.51.100.81", "203.0.113.82"]


def test_one_mails_headers_pasted_twice_are_one_chain():
    # False friend: an excerpt of the header, then the whole header: one mail, its one sender.
    from abusedesk.parsers.freetext import _pasted_chains
    chains = _pasted_chains(
        "Received: from web7.hoster.example ([203.0.113.162])\n\nSubject: Renew your payment\n\n"
        "Received: from smart2.hoster.example (smart2.hoster.example [198.51.100.81]) by mx.mailbox.example\n"
        "with SMTPS id 17; Fri, 17 May 2024 01:10:27 -0700\n"
        "Received: from web7.hoster.example ([203.0.113.162])\n")
    assert len(chains) == 1 and len(chains[0]) == 3


# --- a header block whose line breaks were lost in the copy ----------------------------------

_ONE_LINE = ("Received: from store9.mailbox.example (::1) by front2.mailbox.example with HTTPS; "
             "Mon, 5 Aug 2024 18:16:56 +0000 Received: from gw4.mailbox.example (2001:db8:4::12) by "
             "store9.mailbox.example with SMTP; Mon, 5 Aug 2024 18:16:55 +0000 X-Sender-IP: 203.0.113.6 "
             "Received: from c6jn.bulk.example (203.0.113.6) by gw4.mailbox.example with ESMTPS; "
             "Mon, 5 Aug 2024 18:16:54 +0000 From: Shop <info@bulk.example> Subject: You won")


def test_a_header_block_pasted_as_one_line_is_read_as_its_chain():
    from abusedesk.parsers import parse
    raw = ("From: Cole <cole@reader.example>\nTo: abuse@provider.example\nSubject: spam\n"
           "Message-ID: <c2@reader.example>\n\nThese criminals won't stop. header\n" + _ONE_LINE + "\n").encode()
    assert sorted({e.ip for e in parse(raw).events if e.ip}) == ["203.0.113.6"]


def test_the_words_above_a_forward_marker_name_the_offender_even_when_the_header_follows_on_its_line():
    from abusedesk.parsers import parse
    raw = ("From: Tom <tom@reader.example>\nTo: abuse@provider.example\nSubject: spam\n"
           "Message-ID: <t2@reader.example>\n\nHOSTER.EXAMPLE remove your spammer at: 198.51.100.206\n\n"
           "-------- Forwarded Message --------From: x <> " + _ONE_LINE + "\n").encode()
    assert sorted({e.ip for e in parse(raw).events if e.ip}) == ["198.51.100.206"]


def test_a_long_line_that_says_received_from_once_is_no_header_block():
    # False friend: prose quoting the word once is not cut into headers.
    from abusedesk.parsers.freetext import _pasted_chains
    line = "We have received: from your customer " + "a long complaint about many mails " * 8 + "198.51.100.7"
    assert _pasted_chains(line) == []
