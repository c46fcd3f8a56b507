"""Where uploaded images live (``ECO2_IMAGE__*``): the filesystem or an S3-compatible bucket."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, SecretStr


class ImageSettings(BaseModel):
    """The image store: filesystem by default, S3-compatible (AWS, MinIO, ...) in production."""

    backend: Literal["filesystem", "s3"] = Field(
        "filesystem",
        description="filesystem keeps images under `root`; s3 in `bucket` (presigned URLs).",
    )
    root: str = Field("var/images", description="Directory of the filesystem backend.")
    bucket: str = Field("eco2-images", description="Bucket of the s3 backend.")
    endpoint_url: str | None = Field(
        None, description="S3 endpoint (MinIO, a local server); unset: AWS's for `region`."
    )
    region: str = Field("ap-northeast-2", description="S3 region (signing and AWS's endpoint).")
    addressing_style: Literal["auto", "path", "virtual"] = Field(
        "auto", description="S3 bucket addressing: path for most self-hosted servers."
    )
    access_key_id: str | None = Field(
        None, description="S3 key id; unset: boto's default chain (env, IRSA, instance role)."
    )
    secret_access_key: SecretStr | None = Field(None, description="S3 secret key.")
    key_prefix: str = Field("images/", description="Prefix of every object key in the bucket.")
    timeout_s: float = Field(
        10.0, gt=0, description="Connect and read timeout of each S3 request (no hang)."
    )
    presign_expiry_s: int = Field(
        900,
        ge=1,
        le=7 * 24 * 3600,  # SigV4's longest validity
        description="How long a presigned GET or PUT URL stays valid.",
    )
