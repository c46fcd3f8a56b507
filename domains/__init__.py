"""Domain services and their data (knowledge base, characters, scans, LLM port, vision)."""
