"""The pipelined publish must speak channels_redis's pub/sub layer exactly."""

import pytest
from channels.layers import InMemoryChannelLayer
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.test import override_settings

from notifications.delivery import _pipeline_target, group_channel_name

PUBSUB = "channels_redis.pubsub.RedisPubSubChannelLayer"


@pytest.mark.asyncio
async def test_group_channel_names_match_channels_redis():
    layer = RedisPubSubChannelLayer(hosts=["redis://127.0.0.1:1"], prefix="pressroom")
    # _get_layer() builds the per-loop layer without connecting.
    expected = layer._get_layer()._get_group_channel_name("user-7")
    assert group_channel_name("pressroom", "user-7") == expected


@override_settings(
    CHANNEL_LAYERS={
        "default": {
            "BACKEND": PUBSUB,
            "CONFIG": {"hosts": [{"address": "redis://cache:6379/0", "socket_timeout": None}]},
        }
    }
)
def test_a_single_redis_is_published_to_in_one_pipeline():
    layer = RedisPubSubChannelLayer(hosts=["redis://cache:6379/0"])
    assert _pipeline_target(layer) == ("redis://cache:6379/0", "asgi")


@override_settings(
    CHANNEL_LAYERS={
        "default": {
            "BACKEND": PUBSUB,
            "CONFIG": {"hosts": ["redis://one:6379", "redis://two:6379"], "prefix": "p"},
        }
    }
)
def test_sharded_layers_and_other_layers_use_group_send():
    assert _pipeline_target(RedisPubSubChannelLayer(hosts=["redis://one:6379"])) is None
    assert _pipeline_target(InMemoryChannelLayer()) is None
