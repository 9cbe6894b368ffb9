"""Profiles (name, avatar, bio), the public profile page and account deletion."""

import io

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from wagtail.models import PageViewRestriction

from accounts.models import Profile
from community.models import Comment, CommentStatus, Like, Report
from tests.community import add_comment, live_article, live_post
from tests.factories import AuthorFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def picture(format="PNG", size=(600, 400), name=None, colour="teal"):
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format=format)
    extension = {"JPEG": "jpg"}.get(format, format.lower())
    return SimpleUploadedFile(name or f"me.{extension}", buffer.getvalue())


def save_profile(client, **data):
    fields = {"display_name": "Rita", "bio": "", **data}
    return client.post(reverse("accounts_profile"), fields)


def test_profile_editor_saves_name_bio_and_a_square_avatar(
    client, media_root, django_capture_on_commit_callbacks
):
    user = UserFactory(username="rita")
    client.force_login(user)
    assert client.get(reverse("accounts_profile")).status_code == 200
    response = save_profile(
        client,
        display_name="Rita R.",
        bio="Line one\nLine two <b>",
        avatar=picture("JPEG", (1200, 800)),
    )
    assert response.status_code == 302
    profile = Profile.objects.get(user=user)
    assert (profile.display_name, profile.bio) == ("Rita R.", "Line one\nLine two <b>")
    assert profile.avatar.name.startswith("avatars/") and profile.avatar.name.endswith(".webp")
    assert "me" not in profile.avatar.name  # the upload's own name is not kept
    with Image.open(profile.avatar.path) as stored:
        assert (stored.format, stored.size) == ("WEBP", (256, 256))
    old_file = media_root / profile.avatar.name

    # Replacing and removing the picture deletes the old file (after commit).
    with django_capture_on_commit_callbacks(execute=True):
        save_profile(client, avatar=picture("PNG"), display_name="Rita R.")
    profile.refresh_from_db()
    assert not old_file.exists()
    newer_file = media_root / profile.avatar.name
    with django_capture_on_commit_callbacks(execute=True):
        save_profile(client, remove_avatar="on", display_name="Rita R.")
    profile.refresh_from_db()
    assert not profile.avatar and not newer_file.exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (lambda: picture("GIF", name="me.gif"), "GIF pictures are not accepted"),
        (
            lambda: SimpleUploadedFile("me.png", b"not a picture at all"),
            "not a picture we can read",
        ),
        (lambda: picture("PNG", (4100, 10)), "the limit is 4000x4000"),
        (
            lambda: SimpleUploadedFile("big.jpg", b"\xff" * (2 * 1024 * 1024 + 1)),
            "the limit is 2 MB",
        ),
    ],
)
def test_bad_avatars_are_refused_and_the_rest_is_kept(client, upload, message):
    user = UserFactory(username="rita")
    client.force_login(user)
    response = save_profile(client, display_name="Typed name", bio="Typed bio", avatar=upload())
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'value="Typed name"' in html and "Typed bio</textarea>" in html
    assert not Profile.objects.filter(user=user, display_name="Typed name").exists()


def test_public_profile_lists_public_comments_and_authored_pages(client):
    person = UserFactory(username="maren", first_name="Maren", last_name="Holt")
    Profile.objects.create(user=person, display_name="Maren H.", bio="Editor.\nCyclist.")
    author = AuthorFactory(user=person)
    post = live_post(title="A public post")
    post.authors.set([author])
    post.save_revision().publish()
    article = live_article(title="A public article")
    article.authors.set([author])
    article.save_revision().publish()
    private_post = live_post(title="A private post")
    PageViewRestriction.objects.create(page=private_post, restriction_type="login")
    add_comment(post, person, body="Visible remark")
    add_comment(private_post, person, body="Remark on a private page")
    add_comment(post, person, body="Waiting remark", status=CommentStatus.PENDING)
    add_comment(post, person, body="Rejected remark", status=CommentStatus.REJECTED)

    html = client.get(reverse("accounts_public_profile", args=["maren"])).content.decode()
    assert "Maren H." in html and "<p>Editor.<br>Cyclist.</p>" in html
    assert "Visible remark" in html
    for hidden in ("private page", "Waiting remark", "Rejected remark", "A private post"):
        assert hidden not in html
    assert "A public post" in html and "A public article" in html
    assert client.get(reverse("accounts_public_profile", args=["nobody"])).status_code == 404
    UserFactory(username="plain", first_name="Plain", last_name="Person")  # no profile row yet
    assert (
        "Plain Person"
        in client.get(reverse("accounts_public_profile", args=["plain"])).content.decode()
    )


def test_account_deletion_removes_personal_data_and_keeps_comments(
    client, media_root, django_capture_on_commit_callbacks
):
    user = UserFactory(username="leaving", email="leaving@example.com")
    user.emailaddress_set.create(email=user.email, verified=True, primary=True)
    # A real login (not force_login) so allauth tracks the session.
    client.post(reverse("account_login"), {"login": "leaving@example.com", "password": "pw"})
    assert UserSession.objects.filter(user=user).exists()
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    session_key = client.session.session_key
    save_profile(client, display_name="Soon Gone", bio="Bio", avatar=picture())
    avatar_file = media_root / Profile.objects.get(user=user).avatar.name
    post = live_post()
    comment = add_comment(post, user, body="My words stay")
    other = add_comment(post, UserFactory())
    Like.objects.create(user=user, comment=other)
    Report.objects.create(comment=other, reporter=user, reason="spam")

    response = client.post(reverse("accounts_delete"), {"password": "wrong", "confirm": "on"})
    assert response.status_code == 200
    assert "not your current password" in response.content.decode()
    assert get_user_model().objects.filter(pk=user.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts_delete"), {"password": "pw", "confirm": "on"})
    assert response.status_code == 302
    assert not get_user_model().objects.filter(username="leaving").exists()
    assert not Profile.objects.filter(display_name="Soon Gone").exists()
    assert not avatar_file.exists()
    assert not Authenticator.objects.exists()
    assert not Session.objects.filter(session_key=session_key).exists()
    assert not UserSession.objects.exists()
    assert not Like.objects.exists() and not Report.objects.exists()
    assert not EmailAddress.objects.filter(email="leaving@example.com").exists()
    comment.refresh_from_db()
    assert comment.author is None and comment.body == "My words stay"
    html = client.get(post.url).content.decode()
    assert "My words stay" in html and "deleted user" in html
    assert not client.get("/").context["user"].is_authenticated


def test_staff_accounts_are_not_deleted_from_the_reader_page(client):
    editor = UserFactory(username="edith", groups=["Editors"])
    client.force_login(editor)
    assert "Ask an administrator" in client.get(reverse("accounts_delete")).content.decode()
    response = client.post(reverse("accounts_delete"), {"password": "pw", "confirm": "on"})
    assert response.status_code == 403
    assert get_user_model().objects.filter(pk=editor.pk).exists()


def test_comment_author_names_come_from_profiles(client):
    post = live_post()
    named = UserFactory(username="x1")
    Profile.objects.create(user=named, display_name="Display Name")
    add_comment(post, named, body="Named")
    html = client.get(post.url).content.decode()
    assert "Display Name" in html
    assert Comment.objects.get(body="Named").author == named
