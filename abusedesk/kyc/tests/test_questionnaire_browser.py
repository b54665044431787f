"""The questionnaire in a real chromium: the would-be customer follows the link from the mail,
answers without an account, and KYC staff accept the answers on the desk."""


from abusedesk.portal.tests.test_browser_flows import browser_page, log_in, pytestmark, shot  # noqa: F401

# pytestmark (imported): the browser marker and the chromium check.


def test_a_vpn_customer_answers_the_questionnaire_and_staff_accept_it(browser_page, live_server):  # noqa: F811
    from abusedesk.demo import data
    from abusedesk.kyc import questionnaires, services
    from abusedesk.kyc.models import Questionnaire
    from abusedesk.network.models import Entity

    data.load()
    order = services.submit_order(Entity.objects.get(code="nl"), {
        "company_name": "Tunnel Vision VPN GmbH", "email": "ops@tunnelvision.example", "business_type": "vpn",
        "website": "tunnelvision.example", "billing_country": "DE"})
    q = order.questionnaires.get()
    page, base = browser_page, live_server.url
    page.goto(base + questionnaires.url_for(q).removeprefix("http://127.0.0.1:8000"))
    assert "Tunnel Vision VPN GmbH" in page.content()
    page.fill("input[name=abuse_contact]", "abuse@tunnelvision.example")
    page.fill("textarea[name=abuse_policy]", "https://tunnelvision.example/aup")
    page.fill("textarea[name=takedown_procedure]", "Tickets within the hour; exit node blocked for the target.")
    page.fill("input[name=response_hours]", "2")
    page.fill("textarea[name=ptr_names]", "exit1.tunnelvision.example\nexit2.tunnelvision.example")
    shot(page, "kyc-questionnaire")
    page.click("button.primary")
    assert page.locator("p.answered").count() == 1
    q.refresh_from_db()
    assert q.state == "answered" and q.answers["ptr_names"] == ["exit1.tunnelvision.example",
                                                                 "exit2.tunnelvision.example"]

    log_in(page, base, "desk", "desk-demo")
    page.goto(f"{base}/desk/kyc/queue/answers/")
    page.click(f"text=#{q.pk}")
    assert "exit1.tunnelvision.example" in page.content()
    page.select_option("select[name=accept]", "yes")
    page.click("button.primary")
    shot(page, "kyc-answers-reviewed")
    assert Questionnaire.objects.get(pk=q.pk).state == "accepted"
    assert not [e for e in page.errors if "Content Security Policy" in e], page.errors
