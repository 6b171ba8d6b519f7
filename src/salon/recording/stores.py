"""Where finished recordings are kept: Salon's data folder (the default, Whereby's
`provider: "whereby"`), or the customer's S3 bucket. Both behind `RecordingStore`.

S3 uploads use boto3 (the AWS SDK, in a worker thread: it is synchronous) with the access key
the meeting named; the composite goes to `<prefix>/<filename>` and the per-track files beside
it, under `<prefix>/<filename without extension>-tracks/`.
"""

import asyncio
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from salon.recording.model import StorageKind
from salon.recording.options import S3Destination

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


class RecordingStore(Protocol):
    kind: StorageKind

    async def put(self, folder: Path, composite: Path, tracks: list[Path]) -> str:
        """Keep the composite and its tracks; the composite's location."""
        ...

    async def delete(self, folder: Path, location: str | None) -> None:
        """Remove everything kept for one recording (and its working folder)."""
        ...


class LocalStore:
    """Files stay in the recording's own folder under the data folder."""

    kind = StorageKind.LOCAL

    def __init__(self, root: Path) -> None:
        self._root = root

    async def put(self, folder: Path, composite: Path, tracks: list[Path]) -> str:
        return str(composite.relative_to(self._root))

    async def delete(self, folder: Path, location: str | None) -> None:
        await asyncio.to_thread(shutil.rmtree, folder, True)

    def path_of(self, location: str) -> Path:
        return self._root / location


class S3Store:
    kind = StorageKind.S3

    def __init__(self, destination: S3Destination) -> None:
        self._destination = destination

    def _client(self) -> "S3Client":
        import boto3

        return boto3.client(
            "s3",
            region_name=self._destination.region,
            aws_access_key_id=self._destination.access_key_id,
            aws_secret_access_key=self._destination.access_key_secret,
            endpoint_url=self._destination.endpoint_url,
        )

    def _key(self, name: str) -> str:
        prefix = self._destination.prefix
        return f"{prefix}/{name}" if prefix else name

    async def put(self, folder: Path, composite: Path, tracks: list[Path]) -> str:
        key = self._key(composite.name)
        tracks_prefix = self._key(f"{composite.stem}-tracks")

        def upload() -> None:
            client = self._client()
            for track in tracks:
                client.upload_file(
                    str(track), self._destination.bucket, f"{tracks_prefix}/{track.name}"
                )
            client.upload_file(str(composite), self._destination.bucket, key)

        await asyncio.to_thread(upload)
        composite.unlink(missing_ok=True)  # noqa: ASYNC240 - the customer's bucket holds it now
        return key

    async def delete(self, folder: Path, location: str | None) -> None:
        """Salon forgets its own copies; what is in the customer's bucket is theirs to keep."""
        await asyncio.to_thread(shutil.rmtree, folder, True)
