"""The info domain's errors: one base, a few precise kinds."""


class InfoError(Exception):
    """Base of every error raised by ``domains.info``."""


class UnknownDistrict(InfoError):
    """No data for the given 시도/시군구 (or 관리구역); the message lists what exists."""


class InvalidRequest(InfoError):
    """A date range, item query or reminder setting that cannot be served (the message says
    why)."""


class ReminderNotFound(InfoError):
    """The user has no reminder set."""
