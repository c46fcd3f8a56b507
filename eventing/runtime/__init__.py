"""The function runtime: one pure ``handle(event) -> CloudEvent | None`` served three ways.

- HTTP with functions-framework (``http_trigger``), Knative reply semantics (``reply``);
- a Redis Streams consumer-group worker (``redis_trigger``);
- a RabbitMQ queue consumer (``amqp_trigger``).

The queue triggers share one policy (``worker``): ack after success, retry with backoff,
dead-letter after ``max_attempts`` with the reason, skip processed ids, stop gracefully.
This package imports only what a function module needs (``function``, the loader); the triggers
are imported from their own modules so a function does not pull in aio-pika or Redis.
"""

from eventing.runtime.loader import Function, load_function
from eventing.runtime.reply import function

__all__ = ["Function", "function", "load_function"]
