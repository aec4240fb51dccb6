"""The broker port: an embedded SQLite log by default, Apache Kafka at scale."""

from hub.broker.port import Broker, Consumer, Message, PublishError, Record

__all__ = ["Broker", "Consumer", "Message", "PublishError", "Record"]
