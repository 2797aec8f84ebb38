"""A WebSocket client written by hand over a TCP stream: it does the opening handshake, sends
masked frames and reads frames only when asked. It never answers a ping by itself, so a test
can play a charger whose link has gone silent, or close the TCP socket without a close frame."""

from __future__ import annotations

import asyncio
import base64
import os
import struct
from dataclasses import dataclass, field

OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x1, 0x2, 0x8, 0x9, 0xA
TIMEOUT = 5.0


@dataclass
class RawWs:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    status: int
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    async def open(
        cls, host: str, port: int, path: str, subprotocols: list[str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> RawWs:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), TIMEOUT)
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [
            f"GET {path} HTTP/1.1", f"Host: {host}:{port}", "Upgrade: websocket",
            "Connection: Upgrade", f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13",
        ]
        if subprotocols:
            lines.append(f"Sec-WebSocket-Protocol: {', '.join(subprotocols)}")
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), TIMEOUT)
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        parsed = {}
        for line in header_lines:
            if ":" in line:
                name, _, value = line.partition(":")
                parsed[name.strip().lower()] = value.strip()
        return cls(reader, writer, int(status_line.split()[1]), parsed)

    def send_frame(self, opcode: int, payload: bytes, fin: bool = True) -> None:
        head = bytes([(0x80 if fin else 0) | opcode])
        n = len(payload)
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 1 << 16:
            head += bytes([0x80 | 126]) + struct.pack("!H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack("!Q", n)
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.writer.write(head + mask + masked)

    async def send_text(self, text: str) -> None:
        self.send_frame(OP_TEXT, text.encode())
        await self.writer.drain()

    async def recv_frame(self, wait: float = TIMEOUT) -> tuple[int, bytes]:
        """The next frame (server frames are not masked); pings are returned, not answered."""

        async def read() -> tuple[int, bytes]:
            b0, b1 = await self.reader.readexactly(2)
            n = b1 & 0x7F
            if n == 126:
                (n,) = struct.unpack("!H", await self.reader.readexactly(2))
            elif n == 127:
                (n,) = struct.unpack("!Q", await self.reader.readexactly(8))
            return b0 & 0x0F, await self.reader.readexactly(n)

        return await asyncio.wait_for(read(), wait)

    async def recv_text(self, wait: float = TIMEOUT) -> str:
        """The next text frame, skipping control frames."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        for _ in range(100):
            opcode, data = await self.recv_frame(max(0.01, deadline - loop.time()))
            if opcode == OP_TEXT:
                return data.decode()
            if opcode == OP_CLOSE:
                raise ConnectionError(f"closed by the server: {data!r}")
        raise AssertionError("no text frame")

    def abort(self) -> None:
        """Drop the TCP connection without a close frame."""
        transport = self.writer.transport
        transport.abort()
