"""Uploaded images, kept by content hash while their scan runs."""

from domains.image.budget import ImageBudget
from domains.image.store import ImageNotFoundError, ImageStore, MemoryImageStore, RedisImageStore

__all__ = ["ImageBudget", "ImageNotFoundError", "ImageStore", "MemoryImageStore", "RedisImageStore"]
