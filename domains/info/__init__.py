"""Everyday information: bulk-waste fees by district and item, recyclable prices by region and
month, the household-waste collection calendar by district and zone, and reminders
(docs/places.md)."""
