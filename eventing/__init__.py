"""Eventing: CloudEvents bindings, the event bus, the function runtime, router and SSE gateway.

Transport, retries and streaming live here once; the functions in ``functions/`` stay pure.
"""
