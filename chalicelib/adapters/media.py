"""S3 for photos: presigned POST slots, inline uploads, derivatives, presigned GETs.
The bucket is private; phones only ever see short-lived presigned URLs."""

from __future__ import annotations

from typing import Any

from chalicelib import config
from chalicelib.adapters import aws

UPLOAD_PREFIX = "uploads/"
PHOTO_PREFIX = "photos/"
MIN_BYTES, MAX_BYTES = 1024, 10 * 1024 * 1024
SLOT_SECONDS = 15 * 60
VIEW_SECONDS = 15 * 60


def upload_key(report_id: str, photo_id: str) -> str:
    return f"{UPLOAD_PREFIX}{report_id}/{photo_id}"


def parse_upload_key(key: str) -> tuple[str, str] | None:
    parts = key.split("/")
    if len(parts) != 3 or f"{parts[0]}/" != UPLOAD_PREFIX or not all(parts[1:]):
        return None
    return parts[1], parts[2]


def derivative_keys(report_id: str, photo_id: str) -> tuple[str, str]:
    base = f"{PHOTO_PREFIX}{report_id}/{photo_id}"
    return f"{base}/display.jpg", f"{base}/thumb.jpg"


def presigned_post(key: str, content_type: str = "image/jpeg") -> dict[str, Any]:
    """A form the phone posts the file to, straight to S3: this key only, the image
    type it asked for, 1 KB to 10 MB, valid for 15 minutes (SigV4)."""
    return aws.client("s3").generate_presigned_post(
        Bucket=config.bucket_name(),
        Key=key,
        Fields={"Content-Type": content_type},
        Conditions=[
            ["content-length-range", MIN_BYTES, MAX_BYTES],
            {"Content-Type": content_type},
            {"key": key},
        ],
        ExpiresIn=SLOT_SECONDS,
    )


def put_upload(key: str, data: bytes, content_type: str) -> None:
    aws.client("s3").put_object(
        Bucket=config.bucket_name(), Key=key, Body=data, ContentType=content_type
    )


def head(key: str) -> dict[str, Any] | None:
    s3 = aws.client("s3")
    try:
        return s3.head_object(Bucket=config.bucket_name(), Key=key)
    except s3.exceptions.ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise


def read(key: str) -> bytes:
    body = aws.client("s3").get_object(Bucket=config.bucket_name(), Key=key)["Body"]
    return body.read(MAX_BYTES + 1)


def put_derivative(key: str, data: bytes, sealed: bool = False) -> None:
    """``sealed``: a covert photo, stored SSE-KMS under the covert key (issue #35), so
    reading it needs kms:Decrypt on that key, which no operator or public function has."""
    covert = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": config.covert_key_id()}
    aws.client("s3").put_object(
        Bucket=config.bucket_name(),
        Key=key,
        Body=data,
        ContentType="image/jpeg",
        CacheControl="private, max-age=86400",
        **(covert if sealed else {}),
    )


def delete(key: str) -> None:
    aws.client("s3").delete_object(Bucket=config.bucket_name(), Key=key)


def view_url(key: str) -> str:
    return aws.client("s3").generate_presigned_url(
        "get_object",
        Params={"Bucket": config.bucket_name(), "Key": key},
        ExpiresIn=VIEW_SECONDS,
    )
