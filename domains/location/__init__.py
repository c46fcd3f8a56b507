"""Places to take things: recycling centres, battery and lamp boxes, clothing bins, medicine
boxes and zero-waste shops, imported from the public standard data and searched nearest first
(docs/places.md)."""
