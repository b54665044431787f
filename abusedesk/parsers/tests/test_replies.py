"""A reporter's reply that names the offender in its own words and quotes our
earlier answer (issue 18): the addresses only the quoted part names are the
earlier conversation, not this report. True case and false friend; the
samples are made up."""

from abusedesk.parsers import parse

REPLY = ("From: SOC <soc@cert-x.example>\nTo: abuse@provider.example\n"
         "Subject: Re: [Ticket#4411] SSH brute force from your network\n\nHello,\n\n{own}\n\n"
         "On Tue, 1 Dec 2026, Abuse Desk wrote:\n> Dear reporter,\n"
         "> 198.51.100.61 has been cleaned and the customer was warned.\n> Regards\n")


def ips(n) -> list[str]:
    return sorted({e.ip for e in n.events if e.ip})


def test_address_only_in_the_quoted_answer_is_not_reported_again():
    n = parse(REPLY.format(own="We still see SSH login attempts from 203.0.113.9 since this morning.").encode())
    assert ips(n) == ["203.0.113.9"]


def test_reply_without_an_address_of_its_own_points_at_the_quoted_one():
    # False friend: "still attacking us" names no address; the quoted one is what the reply is about.
    n = parse(REPLY.format(own="The same host is still attacking us, please look again.").encode())
    assert ips(n) == ["198.51.100.61"]
