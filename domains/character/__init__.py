"""Collectible characters: the catalogue (이코 and one per disposal category) and collections."""
