"""Getting messages to users' open sockets through the channel layer.

Channels' `group_send` costs one Redis round trip per group, so telling a
thousand users about one thing waits on a thousand round trips (about 150 ms
here, see bench/notifications_fanout.py). With the Redis pub/sub layer,
`send_to_groups` publishes them all in one pipeline instead, in exactly the
form channels_redis's own `group_send` publishes: the layer's serializer and
its `<prefix>__group__<group>` channel names (a test checks that the names
still agree). Any other layer, such as the in-memory one of the embedded
mode, gets `group_send` per group.
"""

import threading

import redis
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.conf import settings

_clients = {}
_clients_lock = threading.Lock()


def group_channel_name(prefix, group):
    """The Redis channel channels_redis's pub/sub layer uses for a group."""
    return f"{prefix}__group__{group}"


def send_to_groups(messages):
    """Send each (group name, message dict) through the default channel layer."""
    layer = get_channel_layer()
    if layer is None or not messages:
        return
    pipelined = _pipeline_target(layer)
    if pipelined is None:
        async_to_sync(_send_each)(layer, messages)
        return
    address, prefix = pipelined
    pipeline = _client(address).pipeline(transaction=False)
    for group, message in messages:
        pipeline.publish(group_channel_name(prefix, group), layer.serialize(message))
    pipeline.execute()


def _pipeline_target(layer):
    """(Redis address, prefix) when the layer is pub/sub on a single Redis, else None."""
    if not isinstance(layer, RedisPubSubChannelLayer):
        return None
    config = settings.CHANNEL_LAYERS["default"].get("CONFIG", {})
    hosts = config.get("hosts") or ["redis://localhost:6379"]
    if len(hosts) != 1:
        return None  # sharded: leave the hashing to channels_redis
    host = hosts[0]
    address = host.get("address") if isinstance(host, dict) else host
    if not isinstance(address, str):
        return None  # (host, port) pairs and the like: not worth a second parser
    return address, config.get("prefix", "asgi")


def _client(address):
    with _clients_lock:
        client = _clients.get(address)
        if client is None:
            client = _clients[address] = redis.Redis.from_url(address, socket_timeout=5)
        return client


async def _send_each(layer, messages):
    for group, message in messages:
        await layer.group_send(group, message)
