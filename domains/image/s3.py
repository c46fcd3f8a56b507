"""The S3-compatible image store (AWS S3, MinIO, ...) over aioboto3, with presigned URLs.

One client is opened on first use and kept (it pools its connections); ``aclose`` closes it.
Presigned URLs are signed locally (no request), with SigV4, and expire after the settings'
``presign_expiry_s`` unless the caller asks for less. A presigned PUT signs the Content-Type,
so the client must send the one it asked for; its size is checked when the upload is taken
(``ImageService.finish_upload``) because a presigned PUT cannot bound it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import aioboto3
from aiobotocore.config import AioConfig
from botocore.exceptions import BotoCoreError, ClientError

from domains.image.blobs import Blob, BlobStore
from domains.image.exceptions import ImageNotFoundError, ImageStoreUnavailable
from domains.image.schemas import PresignedUrl
from domains.image.settings import ImageSettings

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client

_MISSING = frozenset({"404", "NoSuchKey", "NotFound"})
_DELETE_BATCH = 1000  # DeleteObjects' limit


class S3BlobStore(BlobStore):
    """Images as objects ``<key_prefix><owner>/<hex>`` in one bucket; owner in the metadata."""

    def __init__(self, settings: ImageSettings) -> None:
        self.settings = settings
        self.bucket = settings.bucket
        self._stack = contextlib.AsyncExitStack()
        self._client: S3Client | None = None
        self._lock = asyncio.Lock()

    async def client(self) -> S3Client:
        if self._client is None:
            async with self._lock:
                if self._client is None:
                    s = self.settings
                    secret = s.secret_access_key.get_secret_value() if s.secret_access_key else None
                    session = aioboto3.Session(
                        aws_access_key_id=s.access_key_id,
                        aws_secret_access_key=secret,
                        region_name=s.region,
                    )
                    config = AioConfig(
                        signature_version="s3v4",
                        s3={"addressing_style": s.addressing_style},
                        connect_timeout=s.timeout_s,
                        read_timeout=s.timeout_s,
                        retries={"max_attempts": 2, "mode": "standard"},
                    )
                    factory: Any = session.client("s3", endpoint_url=s.endpoint_url, config=config)
                    self._client = await self._stack.enter_async_context(factory)
        assert self._client is not None
        return self._client

    async def aclose(self) -> None:
        await self._stack.aclose()
        self._client = None

    async def ensure_bucket(self) -> None:
        """Create the bucket when it does not exist (development; production's is provisioned)."""
        client = await self.client()
        try:
            await client.head_bucket(Bucket=self.bucket)
        except ClientError:
            location: Any = {"LocationConstraint": self.settings.region}
            await client.create_bucket(Bucket=self.bucket, CreateBucketConfiguration=location)

    def _k(self, key: str) -> str:
        return self.settings.key_prefix + key

    async def _write(self, key: str, data: bytes, content_type: str, meta: dict[str, str]) -> None:
        with _errors(key):
            client = await self.client()
            await client.put_object(
                Bucket=self.bucket,
                Key=self._k(key),
                Body=data,
                ContentType=content_type,
                Metadata=meta,
            )

    async def _read(self, key: str) -> bytes:
        with _errors(key):
            client = await self.client()
            response = await client.get_object(Bucket=self.bucket, Key=self._k(key))
            async with response["Body"] as body:
                return await body.read()

    async def _stat(self, key: str) -> Blob:
        with _errors(key):
            client = await self.client()
            head = await client.head_object(Bucket=self.bucket, Key=self._k(key))
        return Blob(
            head["ContentLength"],
            head.get("ContentType", "application/octet-stream"),
            dict(head.get("Metadata", {})),
        )

    async def _remove(self, key: str) -> bool:
        # DeleteObject answers 204 for a missing key too: ask first, to say whether it was there.
        try:
            await self._stat(key)
        except ImageNotFoundError:
            return False
        with _errors(key):
            client = await self.client()
            await client.delete_object(Bucket=self.bucket, Key=self._k(key))
        return True

    async def _remove_prefix(self, prefix: str) -> int:
        keys: list[str] = []
        with _errors(prefix):
            client = await self.client()
            paginator = client.get_paginator("list_objects_v2")
            async for page in paginator.paginate(Bucket=self.bucket, Prefix=self._k(prefix)):
                keys.extend(item["Key"] for item in page.get("Contents", []))
            for start in range(0, len(keys), _DELETE_BATCH):
                batch = [{"Key": key} for key in keys[start : start + _DELETE_BATCH]]
                await client.delete_objects(Bucket=self.bucket, Delete={"Objects": batch})  # type: ignore[typeddict-item]
        return len(keys)

    async def _presign(
        self, key: str, method: str, content_type: str | None, expires_s: int
    ) -> PresignedUrl | None:
        client = await self.client()
        expires_s = min(expires_s, self.settings.presign_expiry_s)
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": self._k(key)}
        headers: dict[str, str] = {}
        if content_type is not None:
            params["ContentType"] = content_type
            headers["Content-Type"] = content_type
        operation = "get_object" if method == "GET" else "put_object"
        url = await client.generate_presigned_url(operation, Params=params, ExpiresIn=expires_s)
        expires_at = datetime.now(UTC) + timedelta(seconds=expires_s)
        return PresignedUrl(method=method, url=url, expires_at=expires_at, headers=headers)


@contextlib.contextmanager
def _errors(key: str) -> Iterator[None]:
    """A missing object is ``ImageNotFoundError``; any other failure of S3 (refused, down,
    timed out) is ``ImageStoreUnavailable`` (503), never a hang or a bare botocore error."""
    try:
        yield
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in _MISSING:
            raise ImageNotFoundError(f"no image {key}") from exc
        raise ImageStoreUnavailable(f"the image store refused the request ({code})") from exc
    except BotoCoreError as exc:
        raise ImageStoreUnavailable(f"the image store did not answer ({exc})") from exc
