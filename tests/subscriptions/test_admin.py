import pytest
from django.contrib.auth.models import Group, User

from .helpers import follow, make_trial, staff

pytestmark = pytest.mark.django_db

LIST = "/admin/subscriptions/subscription/"


@pytest.fixture
def followers(trial, group):
    other = make_trial("NCT01111111", group=group)
    follow("a@example.org", trial=trial)
    follow("b@example.org", trial=trial)
    follow("c@example.org", trial=other)
    follow("a@example.org", group=group)
    follow("pending@example.org", trial=trial, confirmed=False)


def test_staff_with_the_permission_see_counts_per_trial_and_group(client, followers):
    client.force_login(staff("view_subscription"))
    response = client.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "NCT07509034: Plain headline of NCT07509034</td><td>2</td>" in html
    assert "NCT01111111: Plain headline of NCT01111111</td><td>1</td>" in html
    assert "<td>Solid tumors</td><td>1</td>" in html
    assert "1 sign-up waiting for confirmation" in html
    assert "pending@example.org" in html


def test_staff_without_the_permission_are_refused(client, followers):
    client.force_login(staff())
    for url in (LIST, "/admin/subscriptions/subscriber/", "/admin/relay/relaymessage/"):
        assert client.get(url).status_code == 403


def test_editors_do_not_see_subscribers(client, followers):
    user = User.objects.create_user("editor", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    client.force_login(user)
    assert client.get(LIST).status_code == 403
    assert "a@example.org" not in client.get("/admin/").content.decode()


def test_visitors_never_reach_it(client, followers):
    response = client.get(LIST)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_lists_are_read_only(client, followers):
    client.force_login(staff("view_subscription", "change_subscription", "add_subscription"))
    assert client.get(f"{LIST}add/").status_code == 403


def test_staff_can_make_new_links_for_an_address(client, followers):
    from django.urls import reverse

    from subscriptions.models import Subscriber

    subscriber = Subscriber.objects.get(email="a@example.org")
    old = reverse("subscriptions:manage", args=[subscriber.manage_token])
    assert client.get(old).status_code == 200
    client.force_login(staff("view_subscriber"))
    response = client.post(
        "/admin/subscriptions/subscriber/",
        {"action": "rotate_links", "_selected_action": [subscriber.pk]},
        follow=True,
    )
    assert "New links made for 1 address" in response.content.decode()
    assert client.get(old).status_code == 404
    subscriber.refresh_from_db()
    assert (
        client.get(reverse("subscriptions:manage", args=[subscriber.manage_token])).status_code
        == 200
    )
    untouched = Subscriber.objects.get(email="b@example.org")
    assert (
        client.get(reverse("subscriptions:manage", args=[untouched.manage_token])).status_code
        == 200
    )
