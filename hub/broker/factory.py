"""Choose the broker from HUB_BROKER_URL."""

from __future__ import annotations

from sqlalchemy import make_url

from hub.broker.port import Broker


def open_broker(url: str, *, partitions: int = 4, topic_prefix: str = "") -> Broker:
    if url.startswith("kafka://"):
        from hub.broker.kafka import KafkaBroker  # imported lazily: most commands never touch Kafka

        kafka: Broker = KafkaBroker(
            url.removeprefix("kafka://"), partitions=partitions, topic_prefix=topic_prefix
        )
        return kafka
    if url.startswith("sqlite:"):
        from hub.broker.embedded import EmbeddedLog

        path = make_url(url).database
        if not path:
            raise ValueError("HUB_BROKER_URL sqlite URL needs a file path, e.g. sqlite:///.hub/log.db")
        return EmbeddedLog(path, partitions=partitions)
    raise ValueError(f"unsupported HUB_BROKER_URL {url!r}; use sqlite:///path/log.db or kafka://host:port")
