"""Staff sign-in is throttled per account and per client (django-axes)."""

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?next=/admin/"
PASSWORD = "a long and right password"


@pytest.fixture
def editor(db):
    return User.objects.create_user("editor", password=PASSWORD, is_staff=True)


def sign_in(client, password, username="editor", ip="203.0.113.5"):
    data = {"username": username, "password": password}
    return client.post(LOGIN, data, REMOTE_ADDR=ip)


def test_wrong_passwords_then_the_right_one_is_refused_with_a_clear_message(client, editor):
    for _ in range(25):
        sign_in(client, "wrong")
    response = sign_in(client, PASSWORD)
    assert response.status_code == 429
    html = response.content.decode()
    assert "Sign-in is paused" in html
    assert "15 minutes" in html
    assert "_auth_user_id" not in client.session


def test_a_few_mistakes_are_forgiven(client, editor):
    for _ in range(4):
        assert sign_in(client, "wrong").status_code == 200
    assert sign_in(client, PASSWORD).status_code == 302
    assert "_auth_user_id" in client.session


def test_one_account_is_locked_whichever_client_guesses(client, editor):
    for n in range(5):
        sign_in(client, "wrong", ip=f"198.51.100.{n}")
    assert sign_in(client, PASSWORD, ip="192.0.2.1").status_code == 429


def test_one_client_is_locked_whichever_account_it_guesses(client, editor):
    for n in range(5):
        sign_in(client, "wrong", username=f"someone{n}")
    assert sign_in(client, PASSWORD).status_code == 429
    assert sign_in(client, PASSWORD, ip="192.0.2.1").status_code == 302


def test_staff_can_unlock_an_account_at_once(client, editor):
    for n in range(5):
        sign_in(client, "wrong", ip=f"198.51.100.{n}")
    call_command("axes_reset_username", "editor")
    assert sign_in(client, PASSWORD, ip="192.0.2.1").status_code == 302
