"""Scan-pipeline and chat functions: each a pure CloudEvent handler in functions/<stage>/main.py."""
