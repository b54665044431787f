"""The classifier's phrases each start with a literal character: the regex engine then skips
ahead on the first characters of a category's phrases; one phrase that starts with a group, a
class or a look-behind makes it try every position of every text (the free-text benchmark fell
by a tenth with six such phrases). A check of the patterns' shape, not a timing."""

import re._parser as sre_parse
from re._constants import LITERAL

from abusedesk.parsers.classify import _KEYWORDS, classify


def test_every_phrase_starts_with_a_literal_character():
    bad = [p for strong, weak in _KEYWORDS.values() for p in strong + weak
           if sre_parse.parse(p.removeprefix("\\b")).data[0][0] is not LITERAL]
    assert bad == []


def test_the_rewritten_phrases_still_read_as_before():
    assert classify("Someone made an identical copy of our website at another address")[0] == "copyright"
    assert classify("Illegitimate SIP register attempts from your network, 4000 failed register attempts")[0] \
        == "brute_force"
    assert classify("The service accepts plaintext authentication on port 110")[0] == "vulnerable_service"
    assert classify("A fake site imitating the tax office")[0] == "fraud"
    # False friend: an URL-encoded byte (%C2) is no C2 server.
    assert classify("See https://example.org/a%C2%A0b for details")[0] is None
