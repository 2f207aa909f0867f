"""Forms take posts from the site's own pages and refuse them from any other site, in a real
browser: Chromium sends Sec-Fetch-Site and Origin, which core/csrf.py reads (pages carry no
token)."""

from playwright.sync_api import expect

from subscriptions.models import Subscriber, Subscription

ATTACKER = "http://attacker.test"


def test_a_form_on_another_site_cannot_sign_anyone_up(browser, live_url, site_data, orm):
    # A page on another site with a form aimed at ours, as an attacker would publish it.
    victim = "victim@example.org"
    html = f"""<!doctype html><title>Win a prize</title>
      <form method="post" action="{live_url}/updates/">
        <input type="hidden" name="email" value="{victim}">
        <input type="hidden" name="follow" value="group">
        <input type="hidden" name="group" value="{site_data.group_slug}">
        <input type="hidden" name="consent" value="on">
        <button>Claim</button>
      </form>"""
    page = browser.new_page()
    page.route(f"{ATTACKER}/**", lambda route: route.fulfill(body=html, content_type="text/html"))
    page.goto(f"{ATTACKER}/prize")
    with page.expect_response(f"{live_url}/updates/") as answer:
        page.get_by_role("button", name="Claim").click()
    assert answer.value.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Please try again")
    assert not Subscriber.objects.filter(email=victim).exists()
    assert not Subscription.objects.filter(subscriber__email=victim).exists()


def test_the_same_form_on_our_own_page_signs_up(browser, live_url, site_data, orm):
    address = "own-page@example.org"
    page = browser.new_page()
    page.goto(f"/conditions/{site_data.group_slug}/")
    form = page.locator("#get-updates form")
    form.get_by_label("Email").fill(address)
    form.get_by_label("I agree to the terms of use").check()
    with page.expect_response(f"{live_url}/updates/") as answer:
        form.get_by_role("button", name="Get updates").click()
    assert answer.value.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")
