"""A minimal WebSocket client over a plain socket, for what a library client hides: a burst of
frames in one write, and a client that stops reading (with a small receive buffer, not reading
really stops the bytes: the kernel window fills and the server's sends back up)."""

import asyncio
import base64
import contextlib
import json
import os
import socket
import struct
from typing import Any

CLOSE = 0x8
TEXT = 0x1


class RawClient:
    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, within_s: float
    ) -> None:
        self.reader, self.writer, self.within_s = reader, writer, within_s

    @classmethod
    async def open(
        cls, host: str, port: int, receive_buffer: int | None, within_s: float
    ) -> "RawClient":
        sock = socket.socket()
        if receive_buffer is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        sock.setblocking(False)
        try:
            await asyncio.get_running_loop().sock_connect(sock, (host, port))
        except BaseException:
            sock.close()
            raise
        reader, writer = await asyncio.open_connection(sock=sock, limit=16384)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            f"GET /_salon/signal HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
        )
        writer.write(f"{request}\r\n".encode())
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), within_s)
        assert head.startswith(b"HTTP/1.1 101"), head
        return cls(reader, writer, within_s)

    def send(self, *messages: dict[str, Any]) -> None:
        """JSON text frames, all in one write."""
        frames = []
        for message in messages:
            payload, mask = json.dumps(message).encode(), os.urandom(4)
            size = len(payload)
            assert size < 65536
            length = bytes([0x80 | size]) if size < 126 else b"\xfe" + struct.pack("!H", size)
            masked = bytes(byte ^ mask[i % 4] for i, byte in enumerate(payload))
            frames.append(b"\x81" + length + mask + masked)
        self.writer.write(b"".join(frames))

    async def frame(self) -> tuple[int, bytes]:
        """The next frame from the server, within the deadline: opcode and payload."""
        return await asyncio.wait_for(self._frame(), self.within_s)

    async def _frame(self) -> tuple[int, bytes]:
        first, second = await self.reader.readexactly(2)
        size = second & 0x7F
        if size == 126:
            (size,) = struct.unpack("!H", await self.reader.readexactly(2))
        elif size == 127:
            (size,) = struct.unpack("!Q", await self.reader.readexactly(8))
        return first & 0x0F, await self.reader.readexactly(size)

    async def close(self) -> None:
        if not self.writer.is_closing():
            self.writer.close()
        with contextlib.suppress(OSError):  # the server may have reset it already
            await self.writer.wait_closed()
