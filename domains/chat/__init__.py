"""The chat domain: intents, sub-question analysis, conversations and their events."""
