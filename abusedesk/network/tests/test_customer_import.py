"""`abusedesk customers import`: the billing system's export, idempotent, with a dry run."""

import json

import pytest
from django.core.management import CommandError, call_command

from abusedesk.network.customer_import import CustomerImporter
from abusedesk.network.models import Customer, Entity

HEADER = "reference,name,entity,abuse_email,main_email,language,timezone,parent,state\n"


@pytest.fixture
def entity(db):
    return Entity.objects.create(code="nl", name="NL", abuse_email="abuse@hosting.example", jurisdiction="NL")


def write(tmp_path, text, name="customers.csv"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_customers_are_created_with_their_abuse_contact_and_resellers_linked(entity, tmp_path):
    path = write(tmp_path, HEADER +
                 "c-end,End GmbH,nl,abuse@end.example,,de,Europe/Berlin,c-res,active\n"
                 "c-res,Reseller B.V.,nl,abuse@res.example,ops@res.example,nl,Europe/Amsterdam,,active\n")
    call_command("customers", "import", path, "--no-progress")
    end = Customer.objects.get(reference="c-end")
    assert (end.abuse_email, end.language, end.timezone, end.parent.reference) == \
        ("abuse@end.example", "de", "Europe/Berlin", "c-res")
    assert end.parent.is_reseller


def test_reimporting_the_same_file_changes_nothing(entity, tmp_path):
    text = HEADER + "c-1,One,nl,abuse@one.example,,en,UTC,,active\nc-2,Two,nl,,,nl,UTC,c-1,active\n"
    assert CustomerImporter().run(text.encode(), "x.csv").created == 2
    again = CustomerImporter().run(text.encode(), "x.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_a_dry_run_shows_the_changes_and_writes_nothing(entity, tmp_path, capsys):
    Customer.objects.create(entity=entity, reference="c-1", name="One", abuse_email="old@one.example")
    path = write(tmp_path, "reference,abuse_email,state\nc-1,new@one.example,suspended\n")
    call_command("customers", "import", path, "--dry-run", "--no-progress")
    out = capsys.readouterr().out
    assert "would update c-1: abuse_email, state" in out and "nothing written" in out
    assert Customer.objects.get(reference="c-1").abuse_email == "old@one.example"


def test_a_column_the_file_lacks_is_left_alone_and_a_present_empty_one_clears(entity):
    Customer.objects.create(entity=entity, reference="c-1", name="One", abuse_email="a@one.example",
                            main_email="m@one.example")
    result = CustomerImporter().run(b"reference,abuse_email\nc-1,\n", "x.csv")
    assert result.updated == 1
    c = Customer.objects.get(reference="c-1")
    assert (c.abuse_email, c.main_email, c.name) == ("", "m@one.example", "One")


def test_json_takes_the_same_keys(entity, tmp_path):
    path = write(tmp_path, json.dumps([{"reference": "j-1", "name": "Json Ltd", "entity": "nl",
                                        "abuse_email": "abuse@json.example", "parent": None}]), "c.json")
    call_command("customers", "import", path, "--no-progress")
    assert Customer.objects.get(reference="j-1").abuse_email == "abuse@json.example"


def test_bad_rows_are_rejected_with_their_line_and_the_rest_go_in(entity):
    result = CustomerImporter().run((HEADER +
                                     "c-1,One,nl,not-an-address,,en,UTC,,active\n"
                                     "c-2,Two,xx,,,en,UTC,,active\n"
                                     "c-3,Three,nl,,,en,Mars/Base,,active\n"
                                     "c-4,Four,nl,,,en,UTC,nobody,active\n"
                                     "c-5,Five,nl,,,en,UTC,,active\n").encode(), "x.csv")
    assert result.rejected == 4 and Customer.objects.filter(reference__in=["c-4", "c-5"]).count() == 2
    text = "\n".join(result.errors)
    assert "line 2: abuse_email is not an e-mail address" in text
    assert "line 3: no entity 'xx': create it first" in text
    assert "unknown time zone 'Mars/Base'" in text and "no parent customer 'nobody'" in text


@pytest.mark.parametrize("content, message", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "list of objects"),
    ("name,entity\nx,nl\n", "no 'reference' column"),
])
def test_an_unreadable_file_is_one_clear_line(entity, tmp_path, content, message):
    path = write(tmp_path, content, "c.json" if content.startswith(("{", "[")) else "c.csv")
    with pytest.raises(CommandError, match=message):
        call_command("customers", "import", path, "--no-progress")


def test_the_import_of_many_customers_takes_batched_queries_not_one_per_row(entity, django_assert_max_num_queries):
    text = HEADER + "".join(f"c-{i},Customer {i},nl,abuse@c{i}.example,,en,UTC,,active\n" for i in range(3000))
    # SQLite caps an INSERT at 999 parameters (about 90 customers); 3,000 rows stay far below 3,000 queries.
    with django_assert_max_num_queries(60):
        result = CustomerImporter().run(text.encode(), "x.csv")
    assert result.created == 3000
