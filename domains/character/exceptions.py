"""The character domain's errors: one base, a few precise kinds."""


class CharacterError(Exception):
    """Base of every error raised by ``domains.character``."""


class CatalogueError(CharacterError):
    """The character catalogue file is missing, unreadable or does not validate."""


class CharacterNotFound(CharacterError):
    """No character has the given key or name."""
