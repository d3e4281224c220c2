"""A log's bytes, arriving in chunks, as numbered MLLOG lines of text.

Only lines that hold the MLLOG token are decoded and handed on; other output is counted
and checked for UTF-8, nothing more. A line is numbered as ``text.split("\\n")`` numbers it
(a final newline starts one more, empty, line). An MLLOG line longer than
``Limits.max_line_bytes`` is a finding: it is read in chunks and passed over, never held.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Iterator

from .findings import FindingSink
from .report import Finding, error, warning

TOKEN = b":::MLLOG"


class _Utf8Scan:
    """Finds the first byte that is not UTF-8 in bytes fed piece by piece."""

    def __init__(self, offset: int) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self.offset = offset  # where the next piece starts in the file
        self.bad_at: int | None = None

    def feed(self, piece: bytes, final: bool = False) -> None:
        if self.bad_at is None and not (piece.isascii() and not self._decoder.getstate()[0]):
            pending = len(self._decoder.getstate()[0])
            try:
                self._decoder.decode(piece, final)
            except UnicodeDecodeError as exc:
                self.bad_at = self.offset - pending + exc.start
        elif final and self.bad_at is None and self._decoder.getstate()[0]:
            self.bad_at = self.offset - len(self._decoder.getstate()[0])
        self.offset += len(piece)


class LogLines:
    """Numbers a log's lines and yields ``(number, text)`` for each MLLOG line."""

    def __init__(self, name: str, max_lines: int, max_line_bytes: int, sink: FindingSink) -> None:
        self.name = name
        self.max_lines = max_lines
        self.max_line_bytes = max_line_bytes
        self.sink = sink
        self.not_utf8: Finding | None = None
        self._number = 0
        self._offset = 0  # of the current line's first byte
        self._stopped: _Utf8Scan | None = None  # past the line limit: only UTF-8 is checked

    def read(self, chunks: Iterable[bytes]) -> Iterator[tuple[int, str]]:
        carry = b""
        long: _LongLine | None = None
        for chunk in chunks:
            if self._stopped is not None:
                self._stopped.feed(chunk)
                continue
            pieces = (carry + chunk if carry else chunk).split(b"\n")
            carry = pieces.pop()
            if long is not None:
                if not pieces:
                    long.feed(carry)
                    carry = b""
                    continue
                long.feed(pieces[0])
                self._end_long(long, 1)
                long, pieces = None, pieces[1:]
            if self._stopped is None:
                yield from self._lines(pieces)
            else:
                self._stopped.feed(b"".join(piece + b"\n" for piece in pieces))
            if self._stopped is not None:
                self._stopped.feed(carry)
                carry = b""
            elif len(carry) > self.max_line_bytes:
                long, carry = _LongLine(carry, self._offset), b""
        yield from self._finish(carry, long)

    def _finish(self, carry: bytes, long: _LongLine | None) -> Iterator[tuple[int, str]]:
        if self._stopped is not None:
            if carry:
                self._stopped.feed(carry)
            self._stopped.feed(b"", final=True)
            self._note_bad(self._stopped.bad_at)
        elif long is not None:
            long.feed(carry)
            self._end_long(long, 0)
        else:
            yield from self._lines([carry])

    def _lines(self, pieces: list[bytes]) -> Iterator[tuple[int, str]]:
        for index, raw in enumerate(pieces):
            if not self._next_line():
                self._stop(pieces[index:])
                return
            if len(raw) > self.max_line_bytes:
                self._end_long(_LongLine(raw, self._offset), 1, counted=True)
                continue
            start = self._offset
            self._offset += len(raw) + 1
            if TOKEN in raw:
                yield self._number, self._text(raw, start)
            elif self.not_utf8 is None and not raw.isascii():
                self._text(raw, start)

    def _next_line(self) -> bool:
        self._number += 1
        if self._number <= self.max_lines:
            return True
        self.sink.add(
            error(
                "log.too_many_lines",
                f"{self.name} has more than {self.max_lines} lines; trim framework output",
                self.name,
            )
        )
        return False

    def _stop(self, rest: list[bytes]) -> None:
        """Past the line limit nothing is parsed; the rest is still checked for UTF-8."""
        self._stopped = _Utf8Scan(self._offset)
        for piece in rest:
            self._stopped.feed(piece + b"\n")

    def _text(self, raw: bytes, start: int) -> str:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            self._note_bad(start + exc.start)
            return raw.decode("utf-8", "replace")

    def _note_bad(self, at: int | None) -> None:
        if at is not None and self.not_utf8 is None:
            message = f"{self.name} is not UTF-8 (byte {at}); bad bytes were replaced"
            self.not_utf8 = warning("log.not_utf8", message, self.name)

    def _end_long(self, long: _LongLine, newline: int, counted: bool = False) -> None:
        if not counted and not self._next_line():
            # The line past the limit is this long one: what follows is only checked.
            self._stopped = long.utf8
            self._stopped.feed(b"\n" * newline)
            return
        long.utf8.feed(b"", final=True)
        self._note_bad(long.utf8.bad_at)
        self._offset += long.size + newline
        if long.token:
            where = f"{self.name}:{self._number}"
            message = (
                f"{self.name} line {self._number}: an MLLOG line of {long.size} bytes, more than "
                f"{self.max_line_bytes}; it is not read"
            )
            self.sink.add(error("log.line_too_long", message, where))


class _LongLine:
    """A line over the length limit: its size, whether it holds the token, its UTF-8."""

    def __init__(self, first: bytes, offset: int) -> None:
        self.size = 0
        self.token = False
        self._tail = b""
        self.utf8 = _Utf8Scan(offset)
        self.feed(first)

    def feed(self, piece: bytes) -> None:
        self.size += len(piece)
        # The token may straddle two pieces: keep its length less one byte of the last.
        self.token = self.token or TOKEN in self._tail + piece[: len(TOKEN)] or TOKEN in piece
        self._tail = (self._tail + piece)[-(len(TOKEN) - 1) :]
        self.utf8.feed(piece)
