"""Images: where uploads live (``blobs``: filesystem or S3, owned), the scan pipeline's Redis
hand-off (``store``), and the byte budget of a vision worker."""

from domains.image.blobs import BlobStore, FilesystemBlobStore
from domains.image.budget import ImageBudget
from domains.image.exceptions import (
    DirectUploadUnavailable,
    ImageNotFoundError,
    ImageStoreUnavailable,
)
from domains.image.schemas import PresignedUrl, Purpose, StoredImage
from domains.image.service import ImageService, blob_store
from domains.image.settings import ImageSettings
from domains.image.store import ImageStore, MemoryImageStore, RedisImageStore

__all__ = [
    "BlobStore",
    "DirectUploadUnavailable",
    "FilesystemBlobStore",
    "ImageBudget",
    "ImageNotFoundError",
    "ImageService",
    "ImageSettings",
    "ImageStore",
    "ImageStoreUnavailable",
    "MemoryImageStore",
    "PresignedUrl",
    "Purpose",
    "RedisImageStore",
    "StoredImage",
    "blob_store",
]
