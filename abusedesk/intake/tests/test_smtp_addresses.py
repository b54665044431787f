"""smtpd reads a plain path (<local@domain>) of MAIL FROM and RCPT TO itself, and leaves
anything else to aiosmtpd's parser: the answer is the same either way."""

import asyncio

import pytest
from aiosmtpd.smtp import SMTP

from abusedesk.intake.smtp import IntakeSMTP

PLAIN = ["<fbl@mail.example>", "<fbl@mail.example> SIZE=1024 BODY=8BITMIME", "<a.b+tag@x-y.example.org>",
         "<A!#$%&'*+/=?^_`{|}~-Z@Ex.AMPLE>", "<a@b>\tSIZE=1", "<a@x.example>  SMTPUTF8"]
FALSE_FRIENDS = [
    "<>", "  <a@x.example>", "<a..b@x.example>", "<.a@x.example>", "<a.@x.example>", '<"quoted local"@x.example>', "<a@[192.0.2.1]>",
    "<@relay.example:a@x.example>", "a@x.example", "<a@x.example", "<a@x..example>", "<a@x.example.>",
    "<a b@x.example>", "<a@b@c>", "<ä@x.example>", "<a@b> (comment) SIZE=1", "<a@b>(c)", "<" + "l" * 70 + "@x.example>",
]


def both(arg: str, local_part_limit: int = 0):
    async def parse():
        server = IntakeSMTP(object())
        server.local_part_limit = local_part_limit
        return server._getaddr(arg), SMTP._getaddr(server, arg)

    return asyncio.run(parse())


@pytest.mark.parametrize("arg", PLAIN + FALSE_FRIENDS)
def test_a_path_reads_as_aiosmtpd_reads_it(arg):
    ours, theirs = both(arg)
    assert ours == theirs


@pytest.mark.parametrize("arg", PLAIN)
def test_a_plain_path_is_read_without_the_header_parser(arg, monkeypatch):
    def refuse(self, arg):
        raise AssertionError("read by aiosmtpd's parser")

    monkeypatch.setattr(SMTP, "_getaddr", refuse)

    async def parse():
        return IntakeSMTP(object())._getaddr(arg)

    address, _rest = asyncio.run(parse())
    assert address == arg.strip().split(">")[0].lstrip("<")


def test_a_local_part_over_the_limit_is_refused_as_aiosmtpd_refuses_it():
    ours, theirs = both("<" + "l" * 70 + "@x.example>", local_part_limit=64)
    assert ours == theirs == (None, None)
