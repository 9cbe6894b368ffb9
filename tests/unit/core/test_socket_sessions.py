"""Open sockets close when their sign-in ends (core/socket_sessions.py):
logout closes that session's sockets, a new password or a deactivation all
of the account's. Real sockets through the full ASGI stack (channels'
WebsocketCommunicator) and the in-memory channel layer."""

import pytest
from allauth.usersessions.models import UserSession
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from chat.rooms.models import Room, RoomMessage
from config.asgi import application
from core.socket_sessions import SIGNED_OUT_CLOSE_CODE, account_group, session_group
from tests.factories import UserFactory

# The views and consumers run in other threads, so tests commit for real; the
# serialized rollback restores the migrated site after each one.
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.asyncio,
]


@sync_to_async
def signed_in(username):
    """(user, a browser's Client signed in as them)."""
    user = UserFactory(username=username)
    client = Client()
    client.force_login(user)
    return user, client


@sync_to_async
def second_browser(user):
    client = Client()
    client.force_login(user)
    return client


async def open_socket(path, client=None):
    headers = [(b"origin", b"http://testserver"), (b"host", b"testserver")]
    if client is not None:
        headers.append((b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()))
    socket = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await socket.connect()
    assert connected
    return socket


async def notification_socket(client):
    socket = await open_socket("/ws/notifications/", client)
    assert (await socket.receive_json_from())["type"] == "unread_count"
    return socket


async def room_socket(client):
    socket = await open_socket("/ws/rooms/lounge/", client)
    assert (await socket.receive_json_from())["type"] == "history"
    return socket


async def close_code(socket, timeout=3):
    """The code the server closed the socket with (frames before it skipped)."""
    while True:
        output = await socket.receive_output(timeout)
        if output["type"] == "websocket.close":
            return output.get("code")


async def frames_within(socket, timeout=0.3):
    """Every frame the socket gets until it is quiet for `timeout` seconds."""
    frames = []
    while not await socket.receive_nothing(timeout=timeout):
        frames.append(await socket.receive_json_from())
    return frames


async def still_open(socket):
    """True when the socket gets no close (frames such as presence may arrive)."""
    while not await socket.receive_nothing(timeout=0.3):
        if (await socket.receive_output())["type"] == "websocket.close":
            return False
    return True


@pytest.fixture
def lounge(transactional_db):
    return Room.objects.create(name="Lounge", slug="lounge")


async def test_logout_closes_that_sessions_sockets_only(lounge):
    alice, browser = await signed_in("alice")
    laptop = await second_browser(alice)
    _, bobs_browser = await signed_in("bob")
    room = await room_socket(browser)
    bell = await notification_socket(browser)
    assistant = await open_socket("/ws/assistant/", browser)
    laptop_bell = await notification_socket(laptop)
    bobs_bell = await notification_socket(bobs_browser)

    response = await sync_to_async(browser.post)("/accounts/logout/")
    assert response.status_code == 302

    for socket in (room, bell, assistant):
        assert await close_code(socket) == SIGNED_OUT_CLOSE_CODE
    # The closed room socket acts on nothing more, even if the client keeps sending.
    await room.send_json_to({"type": "message", "text": "still here?"})
    assert {frame["type"] for frame in await frames_within(room)} <= {"presence"}
    assert not await sync_to_async(RoomMessage.objects.exists)()
    # Alice's other browser and Bob are still connected.
    assert await still_open(laptop_bell)
    assert await still_open(bobs_bell)
    for socket in (room, bell, assistant, laptop_bell, bobs_bell):
        await socket.disconnect()


async def test_a_password_change_closes_every_socket_of_the_account(lounge):
    alice, browser = await signed_in("carol")
    laptop = await second_browser(alice)
    _, bobs_browser = await signed_in("dave")
    sockets = [await room_socket(browser), await notification_socket(laptop)]
    bobs_bell = await notification_socket(bobs_browser)

    response = await sync_to_async(browser.post)(
        "/accounts/password/change/",
        {"oldpassword": "pw", "password1": "a-New-pass-2718", "password2": "a-New-pass-2718"},
    )
    assert response.status_code == 302
    for socket in sockets:
        assert await close_code(socket) == SIGNED_OUT_CLOSE_CODE
    assert await still_open(bobs_bell)
    for socket in (*sockets, bobs_bell):
        await socket.disconnect()


@pytest.mark.parametrize(
    "change",
    [
        lambda user: (user.set_password("another-pass-31"), user.save()),  # admin, reset, command
        lambda user: (setattr(user, "is_active", False), user.save(update_fields=["is_active"])),
        lambda user: user.delete(),
    ],
    ids=["password-set-anywhere", "deactivated", "deleted"],
)
async def test_account_changes_close_its_sockets(change):
    user, browser = await signed_in("erin")
    bell = await notification_socket(browser)
    await sync_to_async(change)(user)
    assert await close_code(bell) == SIGNED_OUT_CLOSE_CODE
    await bell.disconnect()


async def test_other_saves_and_logins_leave_sockets_open():
    user, browser = await signed_in("frank")
    bell = await notification_socket(browser)

    def edit_and_log_in_again():
        user.first_name = "Francis"
        user.save()
        Client().force_login(user)  # saves last_login

    await sync_to_async(edit_and_log_in_again)()
    assert await still_open(bell)
    await bell.disconnect()


async def test_signing_out_other_sessions_closes_their_sockets():
    user = await sync_to_async(UserFactory)(username="gwen")

    def log_in():
        # Through allauth's login view, which records the session (UserSession).
        client = Client()
        response = client.post("/accounts/login/", {"login": user.email, "password": "pw"})
        assert response.status_code == 302
        return client

    browser = await sync_to_async(log_in)()
    laptop = await sync_to_async(log_in)()
    bell = await notification_socket(browser)
    laptop_bell = await notification_socket(laptop)
    assert await sync_to_async(UserSession.objects.filter(user=user).count)() == 2

    response = await sync_to_async(browser.post)("/accounts/sessions/")
    assert response.status_code == 302
    assert await close_code(laptop_bell) == SIGNED_OUT_CLOSE_CODE
    assert await still_open(bell)
    await bell.disconnect()
    await laptop_bell.disconnect()


async def test_anonymous_sockets_join_no_session_group(lounge):
    reader = await room_socket(None)
    await sync_to_async(Client().post)("/accounts/logout/")
    assert await still_open(reader)
    await reader.disconnect()


async def test_group_names_never_contain_the_session_key():
    key = "k3y0fs0mes3ss10nabcdefghijklmnop"
    name = session_group(key)
    assert key not in name and name.startswith("session-") and len(name) < 100
    assert session_group(key) == name and session_group(key + "x") != name
    assert account_group(42) == "account-42"
