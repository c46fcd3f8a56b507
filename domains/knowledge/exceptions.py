"""The one base error of the knowledge package."""


class KnowledgeError(Exception):
    """The knowledge base could not be loaded or used (bad data file, unknown key)."""
