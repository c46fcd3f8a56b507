"""The location domain's errors: one base, a few precise kinds."""


class LocationError(Exception):
    """Base of every error raised by ``domains.location``."""


class FacilityNotFound(LocationError):
    """No facility has the given id."""


class InvalidQuery(LocationError):
    """Coordinates, radius or filters that cannot be searched (the message says which)."""


class PlacesUnavailable(LocationError):
    """The online place source (Kakao Local) failed or refused; callers fall back to the
    database alone."""
