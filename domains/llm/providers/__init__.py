"""One module per provider; each adapts one SDK to the ``Provider`` interface in ``base``."""
