"""``--broker URL`` -> the node's broker. Redis is imported only when a Redis URL is given."""

from __future__ import annotations

from urllib.parse import urlsplit

from csms_lite.cluster.broker import Broker
from csms_lite.cluster.local import LocalBroker
from csms_lite.config import CsmsConfig
from csms_lite.errors import ConfigError

REDIS_SCHEMES = ("redis", "rediss", "unix")


def open_broker(config: CsmsConfig, floor: int = 0) -> Broker:
    """The broker ``config.broker_url`` names (not connected yet: ``start`` does that).
    ``floor``: the highest OCPP 1.6 transaction id this node's registry has handed out."""
    url = config.broker_url
    if not url:
        return LocalBroker()
    scheme = urlsplit(url).scheme
    if scheme not in REDIS_SCHEMES:
        raise ConfigError(
            f"unsupported --broker URL {url!r}: give redis://HOST:PORT/DB "
            "(e.g. redis://127.0.0.1:6379/0; rediss:// for TLS, unix:///path/redis.sock)"
        )
    try:
        from csms_lite.cluster.redis_broker import RedisBroker
    except ImportError as exc:
        raise ConfigError(f"--broker needs the redis package ({exc}): pip install redis") from None

    return RedisBroker(url, config.node_id, floor=floor, presence_ttl=config.presence_ttl,
                       command_timeout=config.command_timeout)
