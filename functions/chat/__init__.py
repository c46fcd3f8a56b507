"""The chat function: a LangGraph multi-agent assistant run as one CloudEvent function."""
