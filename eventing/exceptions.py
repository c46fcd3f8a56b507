"""The eventing package's errors: one base, a few precise kinds."""


class EventingError(Exception):
    """Base of every error raised by ``eventing``."""


class MalformedEventError(EventingError):
    """A message could not be read as a CloudEvent; the message says what is missing or wrong."""


class UnknownEventTypeError(EventingError):
    """An event's ``type`` has no payload model in the registry."""


class InvalidPayloadError(EventingError):
    """An event's data does not validate against the model of its type."""


class HandlerLoadError(EventingError):
    """A function's source file or target could not be loaded; names both."""


class BusError(EventingError):
    """The event bus could not publish, consume or acknowledge."""


class GroupMissing(BusError):
    """A consumer group is gone, e.g. Redis restarted empty; ``ensure_group`` recreates it."""
