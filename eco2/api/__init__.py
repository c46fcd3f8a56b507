"""The scan API (HTTP edge): ``POST /api/v1/scans`` and friends, plus the SSE gateway routes."""

from eco2.api.app import create_app
from eco2.api.publish import ScanPublisher, open_publisher, requested_event

__all__ = ["ScanPublisher", "create_app", "open_publisher", "requested_event"]
