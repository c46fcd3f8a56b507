"""The scan domain's errors: one base, a few precise kinds."""


class ScanError(Exception):
    """Base of every error raised by ``domains.scan``."""


class JobNotFound(ScanError):
    """No scan job has the given id."""


class InvalidTransition(ScanError):
    """The job's current status does not allow the requested change (e.g. resume a done job)."""


class IdempotencyKeyReused(ScanError):
    """The same idempotency key was sent again for a different image."""
