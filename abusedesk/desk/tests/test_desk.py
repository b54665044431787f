"""The compliance desk: queues, roles, case actions, bulk actions, notifiers and policy."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from abusedesk.cases.models import AuditLog, Case
from abusedesk.enforcement.models import Action
from abusedesk.intake.models import Notifier
from abusedesk.policy.models import DeadlinePolicy
from testkit.orm import make_case

pytestmark = pytest.mark.django_db


def test_every_queue_page_renders(staff, cases):
    for name in ["open", "new", "unmatched", "masked", "due_soon", "overdue", "disputed", "restricted"]:
        assert staff.get(reverse("desk:queue", args=[name])).status_code == 200, name


def test_the_child_abuse_queue_is_for_the_compliance_role_only(staff, compliance, cases):
    assert staff.get(reverse("desk:queue", args=["child_abuse"])).status_code == 404
    assert staff.get(reverse("desk:case", args=[cases["csam"].pk])).status_code == 404
    page = compliance.get(reverse("desk:queue", args=["child_abuse"]))
    assert page.status_code == 200 and cases["csam"].ref in page.content.decode()
    assert compliance.get(reverse("desk:case", args=[cases["csam"].pk])).status_code == 200


def test_plain_staff_cannot_read_the_original_of_a_child_abuse_notice(staff, compliance, cases):
    raw_id = cases["csam"].reports.get().raw_message_id
    assert staff.get(reverse("desk:raw", args=[raw_id])).status_code == 404
    assert staff.get(reverse("desk:raw-download", args=[raw_id])).status_code == 404
    assert compliance.get(reverse("desk:raw-download", args=[raw_id])).status_code == 200


def test_the_desk_opens_on_every_open_case_soonest_deadline_first(staff, demo, clock):
    later = make_case("customer-a", hours_left=10)
    sooner = make_case("customer-b", hours_left=2)
    body = staff.get(reverse("desk:queues")).content.decode()
    assert body.index(sooner.ref) < body.index(later.ref)


def test_overdue_cases_are_in_the_overdue_queue(staff, demo, clock):
    late = make_case("customer-a", hours_left=-2)
    body = staff.get(reverse("desk:queue", args=["overdue"])).content.decode()
    assert late.ref in body


def test_search_by_prefix_customer_and_category(staff, cases):
    body = staff.get(reverse("desk:cases"), {"ip": "203.0.113.0/24"}).content.decode()
    assert cases["c1"].ref in body and cases["a"].ref not in body
    body = staff.get(reverse("desk:cases"), {"ip": "198.51.100.0/25"}).content.decode()
    assert cases["a"].ref in body and cases["b"].ref not in body
    body = staff.get(reverse("desk:cases"), {"customer": "customer-b"}).content.decode()
    assert cases["b"].ref in body and cases["a"].ref not in body
    body = staff.get(reverse("desk:cases"), {"received_after": "2026-11-01", "category": "phishing"}).content.decode()
    assert cases["a"].ref in body


def test_the_raw_notice_downloads_as_the_exact_original(compliance, cases):
    raw = cases["a"].reports.get().raw_message
    response = compliance.get(reverse("desk:raw-download", args=[raw.pk]))
    assert response.content == bytes(raw.content)
    assert response["Content-Disposition"].startswith("attachment;")


def test_staff_close_reopen_and_reassign_are_audited(compliance, cases):
    case = cases["a"]
    compliance.post(reverse("desk:case-action", args=[case.pk, "close"]), {"reason": "not_ours"})
    case.refresh_from_db()
    assert case.state == "closed" and case.close_reason == "not_ours"
    compliance.post(reverse("desk:case-action", args=[case.pk, "reopen"]))
    case.refresh_from_db()
    assert case.state == "forwarded"
    compliance.post(reverse("desk:case-action", args=[case.pk, "reassign"]), {"customer": "customer-b"})
    case.refresh_from_db()
    assert case.customer.reference == "customer-b"
    assert AuditLog.objects.filter(case=case, verb="reassign").exists()


def test_merging_moves_reports_and_closes_the_merged_case(compliance, demo, clock):
    one, two = make_case("customer-a"), make_case("customer-a")
    compliance.post(reverse("desk:case-action", args=[two.pk, "merge"]), {"into": one.pk})
    one.refresh_from_db()
    two.refresh_from_db()
    assert one.report_count == 2 and two.state == "closed" and two.merged_into == one


def test_cases_of_different_customers_are_not_merged(compliance, cases):
    compliance.post(reverse("desk:case-action", args=[cases["b"].pk, "merge"]), {"into": cases["a"].pk})
    cases["b"].refresh_from_db()
    assert cases["b"].state == "forwarded"


def test_an_approved_suspension_restricts_the_case_and_accepting_the_fix_restores_it(compliance, staff, alice,
                                                                                      cases):
    from abusedesk.enforcement.actions import execute_due

    case = cases["a"]
    staff.post(reverse("desk:case-action", args=[case.pk, "propose"]), {"kind": "suspend_service", "reason": "x"})
    action = Action.objects.get()
    assert action.state == "proposed"
    compliance.post(reverse("desk:action", args=[action.pk, "approve"]))
    execute_due()  # the sweep step
    case.refresh_from_db()
    assert case.state == "restricted"
    alice.post(reverse("portal:resolve", args=[case.pk]), {"resolution": "cleaned_server", "text": "reinstalled"})
    compliance.post(reverse("desk:case-action", args=[case.pk, "accept"]))
    execute_due()
    case.refresh_from_db()
    restore = Action.objects.get(case=case, kind="restore")
    assert case.state == "closed" and restore.state == "done" and restore.restores == action


def test_a_termination_needs_two_different_approvers(compliance, staff, cases):
    case = cases["a"]
    staff.post(reverse("desk:case-action", args=[case.pk, "propose"]), {"kind": "terminate", "reason": "repeat"})
    action = Action.objects.get()
    compliance.post(reverse("desk:action", args=[action.pk, "approve"]))
    compliance.post(reverse("desk:action", args=[action.pk, "approve"]))
    action.refresh_from_db()
    assert action.state == "proposed"
    staff.post(reverse("desk:action", args=[action.pk, "approve"]))
    action.refresh_from_db()
    assert action.state == "approved"


def test_bulk_close_changes_only_visible_cases(staff, cases):
    response = staff.post(reverse("desk:bulk"), {"action": "close", "reason": "no_action",
                                                 "cases": [cases["a"].pk, cases["b"].pk, cases["csam"].pk]})
    assert response.status_code == 302
    states = dict(Case.objects.values_list("pk", "state"))
    assert states[cases["a"].pk] == states[cases["b"].pk] == "closed"
    assert states[cases["csam"].pk] == "forwarded"  # plain staff cannot see it, so cannot touch it


def test_staff_can_write_an_internal_note(compliance, alice, cases):
    compliance.post(reverse("desk:case-action", args=[cases["a"].pk, "message"]),
                    {"body": "check KYC", "internal": "on"})
    note = cases["a"].messages.get()
    assert not note.visible_to_customer
    assert "check KYC" not in alice.get(reverse("portal:case", args=[cases["a"].pk])).content.decode()


def test_notifier_trust_and_api_key_management(compliance, demo):
    notifier = Notifier.objects.get(name="Shadowserver Foundation")
    response = compliance.post(reverse("desk:notifier", args=[notifier.pk]), {"action": "new_key"})
    key = next(line for line in response.content.decode().split() if "adk_" in line)
    notifier.refresh_from_db()
    assert notifier.api_key_hash and key.split(">")[1].split("<")[0].startswith("adk_")
    compliance.post(reverse("desk:notifier", args=[notifier.pk]), {
        "name": notifier.name, "kind": notifier.kind, "email": "", "sender_addresses": "@shadowserver.org",
        "trusted": "", "auto_reply": "", "language": "en"})
    notifier.refresh_from_db()
    assert notifier.trusted is False


def test_policy_editing_validates_and_saves(compliance, demo):
    from abusedesk.network.models import Entity

    entity = Entity.objects.get(code="nl")
    compliance.post(reverse("desk:policies"), {"entity": entity.pk, "category": "spam", "hours": "-1",
                                               "reminders": "50"})
    assert not DeadlinePolicy.objects.exists()
    compliance.post(reverse("desk:policies"), {"entity": entity.pk, "category": "spam", "hours": "36",
                                               "reminders": "50, 90"})
    policy = DeadlinePolicy.objects.get()
    assert policy.hours == 36 and policy.reminders == "50,90"


def test_a_disputed_case_can_be_sent_back_to_the_customer_from_the_desk(compliance, cases):
    from abusedesk.cases.services import dispute

    case = cases["a"]
    dispute(case, User.objects.get(username="customer-a"), "Not our server")
    page = compliance.get(reverse("desk:case", args=[case.pk])).content.decode()
    # Sent back by rejecting the dispute, whose reason the customer is mailed; no bare "Reopen".
    assert reverse("desk:case-action", args=[case.pk, "reopen"]) not in page
    assert reverse("desk:case-action", args=[case.pk, "reject-dispute"]) in page
    assert "clock stopped by the dispute" in page  # not a deadline that still seems to run
    compliance.post(reverse("desk:case-action", args=[case.pk, "reopen"]))
    case.refresh_from_db()
    assert case.state == "disputed"
    compliance.post(reverse("desk:case-action", args=[case.pk, "reject-dispute"]), {"note": "Seen again today"})
    case.refresh_from_db()
    assert case.state == "forwarded"


def test_the_case_page_shows_the_customers_repeat_offender_recommendation(compliance, cases):
    from abusedesk.enforcement.models import OffenderFlag

    case = cases["a"]
    OffenderFlag.objects.create(customer=case.customer, step="suspend", reason="6 validated cases in 90 days",
                                counts={"90": 6}, computed_at=case.received_at)
    page = compliance.get(reverse("desk:case", args=[case.pk])).content.decode()
    assert "Repeat offender" in page and "6 validated cases in 90 days" in page
