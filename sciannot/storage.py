"""Media on S3-compatible storage, with signed URLs that browsers can reach.

Inside a private network the app reaches the object store at one address (`http://minio:9000`)
while browsers reach it at another: through the site's own nginx, or a public host name. A
signed URL covers the host it was signed for, so it is signed for the public address
(`AWS_S3_PUBLIC_ENDPOINT_URL`); the proxy in front of the store must pass that Host header on.
"""

from __future__ import annotations

from typing import Any

from storages.backends.s3 import S3Storage
from storages.utils import clean_name, setting


class MediaS3Storage(S3Storage):
    """django-storages' S3 storage; URLs signed for `public_endpoint_url` when it is set."""

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        # A boto3 S3 client (botocore has no type hints).
        self._public_client: Any = None

    def get_default_settings(self) -> dict[str, Any]:
        return {
            **super().get_default_settings(),
            "public_endpoint_url": setting("AWS_S3_PUBLIC_ENDPOINT_URL", None),
        }

    def _public(self) -> Any:
        # A boto3 client (unlike a resource) is thread-safe, so one serves every thread.
        if self._public_client is None:
            self._public_client = self._create_session().client(
                "s3",
                region_name=self.region_name,
                endpoint_url=self.public_endpoint_url,
                config=self.client_config,
                verify=self.verify,
            )
        return self._public_client

    def url(
        self,
        name: str,
        parameters: dict[str, Any] | None = None,
        expire: int | None = None,
        http_method: str | None = None,
    ) -> str:
        if not self.public_endpoint_url or not self.querystring_auth:
            return str(super().url(name, parameters, expire, http_method))
        params = dict(parameters or {})
        params["Bucket"] = self.bucket_name
        params["Key"] = self._normalize_name(clean_name(name))
        # Signing is local: no request goes to the public address here.
        return str(
            self._public().generate_presigned_url(
                "get_object",
                Params=params,
                ExpiresIn=self.querystring_expire if expire is None else expire,
                HttpMethod=http_method,
            )
        )
