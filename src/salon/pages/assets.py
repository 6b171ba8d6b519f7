"""Static files served from memory. A room page pulls some 55 small modules and stylesheets, and
Starlette's `StaticFiles` opens and streams each one through a worker thread: about 900 files a
second on one core here, so the files alone held a page back by a few hundred milliseconds.
This keeps each file's bytes after the first request and serves them straight from the event
loop; a file that changed on disk (its size or modification time) is read again.

Paths are still resolved, and refused, by `StaticFiles` itself; one the file system cannot even
name (a NUL byte, an over-long name) is simply not found. Every file is sent with `nosniff`, and
HTML pages (the signaling example) may be framed by Salon's own pages only.
"""

import os
import stat
from dataclasses import dataclass
from email.utils import formatdate
from hashlib import md5
from mimetypes import guess_type

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.staticfiles import NotModifiedResponse, StaticFiles
from starlette.types import Scope

CACHED_FILE_MAX_BYTES = 1 << 20
"""Larger files (none today) stream from disk as before."""
_HARDENING = {"x-content-type-options": "nosniff"}
_HTML_HARDENING = {
    **_HARDENING,
    "content-security-policy": "frame-ancestors 'self'",
    "x-frame-options": "SAMEORIGIN",
}


@dataclass(frozen=True, slots=True)
class _File:
    version: tuple[int, int]
    """Modification time (ns) and size: when either changes, the file is read again."""
    body: bytes
    headers: dict[str, str]


class InMemoryStaticFiles(StaticFiles):
    def __init__(self, *, directory: os.PathLike[str] | str) -> None:
        super().__init__(directory=directory)
        self._files: dict[str, _File] = {}

    def lookup_path(self, path: str) -> tuple[str, os.stat_result | None]:
        try:
            return super().lookup_path(path)
        except (ValueError, OSError):  # a NUL byte, a name too long, a folder we may not read
            return "", None

    async def get_response(self, path: str, scope: Scope) -> Response:
        if scope["method"] not in ("GET", "HEAD"):
            return await super().get_response(path, scope)
        full_path, found = self.lookup_path(path)
        if found is None or not stat.S_ISREG(found.st_mode):
            return await super().get_response(path, scope)
        if found.st_size > CACHED_FILE_MAX_BYTES:
            return await super().get_response(path, scope)
        version = (found.st_mtime_ns, found.st_size)
        cached = self._files.get(full_path)
        if cached is None or cached.version != version:
            cached = self._read(full_path, version, found.st_mtime)
            self._files[full_path] = cached
        headers = Headers(scope=scope)
        if self.is_not_modified(Headers(cached.headers), headers):
            return NotModifiedResponse(Headers(cached.headers))
        body = b"" if scope["method"] == "HEAD" else cached.body
        return Response(body, headers=cached.headers)

    @staticmethod
    def _read(full_path: str, version: tuple[int, int], mtime: float) -> _File:
        with open(full_path, "rb") as file:  # small, and read once per change
            body = file.read()
        media_type = guess_type(full_path)[0] or "text/plain"
        if media_type.startswith("text/"):
            media_type += "; charset=utf-8"
        # The same validators Starlette's FileResponse sends, so caches see no difference.
        etag = md5(f"{mtime}-{len(body)}".encode(), usedforsecurity=False).hexdigest()
        headers = {
            "content-type": media_type,
            "content-length": str(len(body)),
            "last-modified": formatdate(mtime, usegmt=True),
            "etag": f'"{etag}"',
            **(_HTML_HARDENING if media_type.startswith("text/html") else _HARDENING),
        }
        return _File((version[0], len(body)), body, headers)
