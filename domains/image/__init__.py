"""Images: where uploads live (``blobs``: filesystem or S3, owned), the scan pipeline's Redis
hand-off (``store``), and the byte budget of a vision worker.

``ImageService`` and ``blob_store`` are in ``domains.image.service``, and the S3 store (aioboto3,
seconds to import) in ``domains.image.s3``: the functions import this package and need neither.
The Redis hand-off (redis, half a second or more to import) is imported when first read: every
process reads ``domains.image.settings``, only vision and chat use the store (eventing.lazy).
"""

from typing import TYPE_CHECKING

from domains.image.blobs import BlobStore, FilesystemBlobStore
from domains.image.budget import ImageBudget
from domains.image.exceptions import (
    DirectUploadUnavailable,
    ImageNotFoundError,
    ImageStoreUnavailable,
)
from domains.image.schemas import PresignedUrl, Purpose, StoredImage
from domains.image.settings import ImageSettings
from eventing.lazy import exports

if TYPE_CHECKING:
    from domains.image.store import ImageStore, MemoryImageStore, RedisImageStore

__all__ = [
    "BlobStore",
    "DirectUploadUnavailable",
    "FilesystemBlobStore",
    "ImageBudget",
    "ImageNotFoundError",
    "ImageSettings",
    "ImageStore",
    "ImageStoreUnavailable",
    "MemoryImageStore",
    "PresignedUrl",
    "Purpose",
    "RedisImageStore",
    "StoredImage",
]
_STORE = ("ImageStore", "MemoryImageStore", "RedisImageStore")
__getattr__, __dir__ = exports(__name__, dict.fromkeys(_STORE, "store"))
