"""CloudEvent bindings: pure ``to_*``/``from_*`` conversions, no I/O.

- ``http``: binary and structured HTTP mode (headers + body).
- ``redis``: a Redis Stream entry (field map).
- ``amqp``: an AMQP 0-9-1 message (body, headers, properties), as RabbitMQ carries it.
"""
