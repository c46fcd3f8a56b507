"""Uploaded images, kept by content hash while their scan runs."""

from domains.image.store import ImageNotFoundError, ImageStore, MemoryImageStore, RedisImageStore

__all__ = ["ImageNotFoundError", "ImageStore", "MemoryImageStore", "RedisImageStore"]
