"""Page passwords cannot be guessed at full speed: wrong passwords count per
client address and per restriction in the shared cache, then the form
answers 429 (with Retry-After) until the window ends."""

import pytest
from django.urls import reverse
from wagtail.models import PageViewRestriction

from tests.community import live_post

pytestmark = pytest.mark.django_db

SECRET = "open sesame"  # the page's password
WINDOW_MINUTES = 24 * 60  # long, so no test straddles a window's end


@pytest.fixture(autouse=True)
def long_window(settings):
    settings.PAGE_PASSWORD_WINDOW_MINUTES = WINDOW_MINUTES


@pytest.fixture
def restricted():
    post = live_post(title="Members only")
    restriction = PageViewRestriction.objects.create(
        page=post, restriction_type=PageViewRestriction.PASSWORD, password=SECRET
    )
    return post, restriction


def try_password(client, restricted, password, address="203.0.113.5"):
    post, restriction = restricted
    url = reverse("wagtailcore_authenticate_with_password", args=[restriction.pk, post.pk])
    return client.post(url, {"password": password, "return_url": post.url}, REMOTE_ADDR=address)


def test_the_form_still_works(client, restricted):
    post, _ = restricted
    page = client.get(post.url)
    assert 'name="password"' in page.content.decode()
    # The form posts to the throttled view, on Wagtail's own path.
    assert "/_util/authenticate_with_password/" in page.content.decode()
    wrong = try_password(client, restricted, "guess")
    assert wrong.status_code == 200
    assert "The password you have entered is not correct" in wrong.content.decode()
    right = try_password(client, restricted, SECRET)
    assert right.status_code == 302 and right["Location"] == post.url
    assert "Members only" in client.get(post.url).content.decode()


def test_an_address_is_refused_after_its_wrong_passwords(client, restricted, settings):
    settings.PAGE_PASSWORD_FAILURE_LIMIT = 3
    statuses = [try_password(client, restricted, f"guess {n}").status_code for n in range(3)]
    assert statuses == [200, 200, 200]
    refused = try_password(client, restricted, "guess 4")
    assert refused.status_code == 429
    html = refused.content.decode()
    assert "Too many password attempts" in html and "minute" in html
    assert 1 <= int(refused["Retry-After"]) <= WINDOW_MINUTES * 60
    # Even the right password waits: the limit is checked before the password.
    assert try_password(client, restricted, SECRET).status_code == 429
    # Another address is not affected.
    assert try_password(client, restricted, SECRET, address="198.51.100.1").status_code == 302


def test_a_restriction_is_refused_after_guesses_from_many_addresses(client, restricted, settings):
    settings.PAGE_PASSWORD_FAILURE_LIMIT = 10
    settings.PAGE_PASSWORD_RESTRICTION_FAILURE_LIMIT = 4
    statuses = [
        try_password(client, restricted, "guess", address=f"203.0.113.{n}").status_code
        for n in range(1, 6)
    ]
    assert statuses == [200, 200, 200, 200, 429]
    assert try_password(client, restricted, SECRET, address="192.0.2.9").status_code == 429
    # Another restricted page keeps its own budget.
    other = live_post(title="Other members")
    other_restriction = PageViewRestriction.objects.create(
        page=other, restriction_type=PageViewRestriction.PASSWORD, password=SECRET
    )
    assert try_password(client, (other, other_restriction), SECRET).status_code == 302


def test_right_passwords_and_unknown_restrictions_cost_nothing(client, restricted, settings):
    settings.PAGE_PASSWORD_FAILURE_LIMIT = 2
    for _ in range(5):
        assert try_password(client, restricted, SECRET).status_code == 302
    post, restriction = restricted
    missing = reverse("wagtailcore_authenticate_with_password", args=[restriction.pk + 99, post.pk])
    for _ in range(5):
        response = client.post(missing, {"password": "x"}, REMOTE_ADDR="203.0.113.5")
        assert response.status_code == 404
    statuses = [try_password(client, restricted, "guess").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
