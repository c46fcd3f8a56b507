"""The function runtime: one function, built by its factory, served three ways.

- HTTP with functions-framework (``http_trigger``), Knative reply semantics (``reply``);
- a Redis Streams consumer-group worker (``redis_trigger``);
- a RabbitMQ queue consumer (``amqp_trigger``).

The queue triggers share one policy (``worker``): ack after success, retry with backoff,
dead-letter after ``max_attempts`` with the reason, skip processed ids, stop gracefully.
This package imports only what loading a function needs; the triggers are imported from their
own modules so a function does not pull in aio-pika or Redis.
"""

from eventing.runtime.loader import Function, load_factory, load_function
from eventing.runtime.settings import RuntimeSettings

__all__ = ["Function", "RuntimeSettings", "load_factory", "load_function"]
