"""One JSON document read a piece at a time: what `import` reads a large export with.

`JsonStream` walks a document in a binary file without holding it: `members()`
and `items()` step through an object's members and an array's items, `value()`
parses the value at hand, `skip()` checks one without keeping it, and `offset`
says where the stream is, so a later reader can start again at an array it
passed (`JsonStream(fh, offset)`).

The JSON export writes one record (or entry) a line (transfer.iter_json), so
the common case is a line: `value()` first tries the rest of the line (without
a trailing comma) with orjson, which either parses exactly the value at hand or
fails. Anything else (a file indented by another tool, or all on one line) is
read by finding where the value ends with the standard library's `raw_decode`
on a bounded window, which grows until the value fits, and parsing exactly
those bytes with orjson: the values are the same either way. A long run of
plain strings (the evidence block's leaves, a million at 1M records, on one
line) is skipped with one regular expression rather than string by string.

Every byte is checked as JSON (a truncated or damaged file raises `NotJSON`);
nesting deeper than 512 levels is refused.
"""

import json
import os
import re

import orjson

_CHUNK = 1 << 20  # read this much at a time
_LINE_MAX = 1 << 20  # a longer line is not tried whole
_VALUE_MAX = 256 << 20  # no single value parsed here is larger (a record is ~1 KB)
_FIRST_WINDOW = 4096
_DEPTH_MAX = 512  # deeper is no export (orjson stops at 1024; Python recursion at ~1000)
_NOT_WS = re.compile(rb"[^ \t\r\n]")
_KEY = re.compile(rb'"([\x20\x21\x23-\x5b\x5d-\x7e]*)"[ \t\r\n]*:')
# Plain ASCII strings without escapes, each followed by a comma: valid array items, skipped at once.
_PLAIN_STRINGS = re.compile(rb'(?:[ \t\r\n]*"[\x20\x21\x23-\x5b\x5d-\x7e]*"[ \t\r\n]*,)+')
# One plain string item and what follows it (a comma or the array's end): a hash of a list of them.
_STRING_ITEM = re.compile(rb'[ \t\r\n]*"([\x20\x21\x23-\x5b\x5d-\x7e]*)"[ \t\r\n]*([,\]])')
_DECODER = json.JSONDecoder()
_MISS = object()
_COMMA, _COLON = ord(","), ord(":")
_OPEN_ARRAY, _CLOSE_ARRAY, _OPEN_OBJECT, _CLOSE_OBJECT = ord("["), ord("]"), ord("{"), ord("}")
_TRAILING = b" \t\r"
_OPENS = b"[{"


class NotJSON(ValueError):
    """The document is not valid JSON (or was cut short); the message says where."""


class JsonStream:
    def __init__(self, fh, offset: int = 0):
        # Read with pread at the stream's own offset: several streams may read one file at
        # once (a team export's chains, merged), and none moves the others.
        self.fd = fh.fileno()
        self.next_read = offset
        self.buf = b""
        self.pos = 0  # into buf
        self.base = offset  # the file offset of buf[0]
        self.eof = False
        self._searched = offset  # no newline before this file offset (after the stream's position)
        self.depth = 0
        self.raw: bytes | None = None  # see values()

    @property
    def offset(self) -> int:
        """The file offset the stream is at."""
        return self.base + self.pos

    def _more(self) -> bool:
        """Read on; False at the end of the file. Drops what was consumed."""
        if self.eof:
            return False
        data = os.pread(self.fd, _CHUNK, self.next_read)
        self.next_read += len(data)
        if not data:
            self.eof = True
            return False
        if self.pos:
            self.base += self.pos
            self.buf = self.buf[self.pos :] + data
            self.pos = 0
        else:
            self.buf += data
        return True

    def _ahead(self, size: int) -> None:
        """Hold at least `size` bytes from the position on, or everything up to the end."""
        while len(self.buf) - self.pos < size and self._more():
            pass

    def error(self, what: str) -> NotJSON:
        return NotJSON(f"{what} at byte {self.offset}")

    def peek(self) -> int | None:
        """The next byte that is not whitespace (the stream moves up to it), or None at the end."""
        while True:
            found = _NOT_WS.search(self.buf, self.pos)
            if found is not None:
                self.pos = found.start()
                return self.buf[self.pos]
            self.pos = len(self.buf)
            if not self._more():
                return None

    def expect(self, char: int, what: str) -> None:
        if self.peek() != char:
            raise self.error(f"expected {what}" if self.peek() is not None else f"the document ends where {what} belongs")
        self.pos += 1

    def end(self) -> None:
        """Nothing but whitespace may follow the document."""
        if self.peek() is not None:
            raise self.error("unexpected content after the document")

    # -- values --------------------------------------------------------------

    def value(self):
        """The value at the stream's position, parsed; the stream moves past it."""
        if self.peek() is None:
            raise self.error("the document ends where a value belongs")
        found = self._line_value()
        return self._window_value() if found is _MISS else found

    def _line_end(self) -> int:
        """Where in `buf` the line at the position ends (its newline, or the end of the
        file), read on as needed; -1 if that is more than _LINE_MAX bytes away. How far
        there is no newline is remembered, so a document on one line is searched once."""
        start_at = self.offset
        if self._searched < start_at:
            self._searched = start_at
        while True:
            limit = start_at + _LINE_MAX
            nl = self.buf.find(b"\n", self._searched - self.base, limit - self.base)
            if nl >= 0:
                return nl
            self._searched = min(limit, self.base + len(self.buf))
            if self._searched >= limit:
                return -1  # a line too long to try whole (or a document on one line)
            if not self._more():
                return len(self.buf)  # the last line

    def _line_value(self):
        """The value, if it is all that its line holds (bar a trailing comma)."""
        end = self._line_end()
        if end < 0:
            return _MISS
        buf, start = self.buf, self.pos
        cut = end
        while cut > start and buf[cut - 1] in _TRAILING:
            cut -= 1
        if cut > start and buf[cut - 1] == _COMMA:
            cut -= 1
        try:
            found = orjson.loads(memoryview(buf)[start:cut])
        except orjson.JSONDecodeError:
            return _MISS
        self.pos = cut
        return found

    def _window_value(self):
        """The value, found by where the standard library's decoder says it ends."""
        size = _FIRST_WINDOW
        while True:
            self._ahead(size)
            start = self.pos
            window = self.buf[start : start + size]
            whole = self.eof and start + size >= len(self.buf)
            text = window.decode("utf-8", "replace")  # a character cut at the end only matters if the value is longer
            try:
                found, end = _DECODER.raw_decode(text)
            except RecursionError:
                raise self.error("nested too deep") from None
            except json.JSONDecodeError as err:
                # A value the window cut short fails in an unterminated string or within a
                # few characters of the window's end (a literal or an escape cut in two);
                # anything earlier is a real error, and the window does not grow for it.
                cut_short = err.msg.startswith("Unterminated string") or err.pos >= len(text) - 8
                if whole or size >= _VALUE_MAX or not cut_short:
                    raise self.error(_reason(err.msg)) from None
                size *= 4
                continue
            if end == len(text) and not whole and not isinstance(found, dict | list | str):
                size *= 4  # a number or literal the window may have cut short
                continue
            nbytes = end if text.isascii() else len(text[:end].encode("utf-8"))
            try:
                value = orjson.loads(memoryview(self.buf)[start : start + nbytes])
            except orjson.JSONDecodeError as err:
                raise self.error(_reason(err.msg)) from None
            self.pos = start + nbytes
            return value

    # -- containers ------------------------------------------------------------

    def members(self):
        """Step through the object at the stream's position: yield each key with the
        stream at its value, which the caller must read (value, skip, members, items)."""
        if not self._opened(_OPEN_OBJECT, _CLOSE_OBJECT, "an object"):
            return
        while True:
            yield self._key()
            after = self.peek()
            if after == _COMMA:
                self.pos += 1
                continue
            if after == _CLOSE_OBJECT:
                self.pos += 1
                self.depth -= 1
                return
            raise self.error("expected , or } after a member" if after is not None else "the document ends inside an object")

    def _key(self) -> str:
        if self.peek() != ord('"'):
            raise self.error("expected a member's name")
        self._ahead(256)
        found = _KEY.match(self.buf, self.pos)
        if found is not None:
            self.pos = found.end()
            return found.group(1).decode("ascii")
        key = self._window_value()
        if not isinstance(key, str):
            raise self.error("expected a member's name")
        self.expect(_COLON, ":")
        return key

    def items(self):
        """Step through the array at the stream's position: yield once for each item,
        with the stream at it, which the caller must read (value, skip, members, items)."""
        if not self._opened(_OPEN_ARRAY, _CLOSE_ARRAY, "an array"):
            return
        while True:
            yield
            if not self._array_goes_on():
                return

    def values(self):
        """Each item of the array at the stream's position, parsed: items() and value() in
        one, with the common case inline (an item a line, as the export writes records).
        `raw` is the item's bytes when it was read from its line, else None."""
        if not self._opened(_OPEN_ARRAY, _CLOSE_ARRAY, "an array"):
            return
        loads, decode_error, trailing = orjson.loads, orjson.JSONDecodeError, _TRAILING
        while True:
            nl = self._line_end()
            buf, start = self.buf, self.pos
            found = _MISS
            tried = False
            if nl > start:
                cut = nl
                while cut > start and buf[cut - 1] in trailing:
                    cut -= 1
                if cut > start and buf[cut - 1] == _COMMA:
                    cut -= 1
                # A line that opens an array or object is the start of an item spread over lines.
                tried = True
                if cut > start and buf[cut - 1] not in _OPENS:
                    raw = buf[start:cut]
                    try:
                        found = loads(raw)
                        self.pos = cut
                    except decode_error:
                        pass
            if found is _MISS:
                raw = None
                found = self._window_value() if tried else self.value()
            self.raw = raw
            yield found
            if self.pos < len(self.buf) and self.buf[self.pos] == _COMMA:
                self.pos += 1  # the export's layout: the comma right after the item
            elif not self._array_goes_on():
                return
            if self.peek() is None:  # on to the next item
                raise self.error("the document ends inside an array")

    def strings(self):
        """Each item of the array at the stream's position, parsed, for an array of strings (a
        chain's leaves, an inclusion proof: a million hashes on one line at 1M records): plain
        ones are matched a regular expression each, anything else parsed as value() does, for
        the caller to refuse."""
        if not self._opened(_OPEN_ARRAY, _CLOSE_ARRAY, "an array"):
            return
        match = _STRING_ITEM.match
        while True:
            if len(self.buf) - self.pos < _FIRST_WINDOW:
                self._ahead(_FIRST_WINDOW)
            found = match(self.buf, self.pos)
            if found is not None:
                self.pos = found.end()
                yield found.group(1).decode("ascii")
                if found.group(2) == b"]":
                    self.depth -= 1
                    return
                continue
            yield self.value()
            if not self._array_goes_on():
                return

    def _opened(self, opening: int, closing: int, what: str) -> bool:
        """Past a container's opening bracket; False, and past its end too, if it is empty."""
        self.expect(opening, what)
        self._enter()
        if self.peek() == closing:
            self.pos += 1
            self.depth -= 1
            return False
        return True

    def _array_goes_on(self) -> bool:
        """After an array's item: past its comma (True), or past the array's end (False)."""
        after = self.peek()
        if after == _COMMA:
            self.pos += 1
            return True
        if after == _CLOSE_ARRAY:
            self.pos += 1
            self.depth -= 1
            return False
        raise self.error("expected , or ] after an item" if after is not None else "the document ends inside an array")

    def _enter(self) -> None:
        self.depth += 1
        if self.depth > _DEPTH_MAX:
            raise self.error("nested too deep")

    def skip(self) -> None:
        """Check the value at the stream's position without keeping it; move past it."""
        first = self.peek()
        if first == _OPEN_OBJECT or first == _OPEN_ARRAY:
            if self._line_value() is not _MISS:  # a record or entry: one line
                return
            if first == _OPEN_OBJECT:
                for _ in self.members():
                    self.skip()
                return
            if not self._opened(_OPEN_ARRAY, _CLOSE_ARRAY, "an array"):
                return
            while True:
                self._plain_strings()
                self.skip()
                if not self._array_goes_on():
                    return
        else:
            self.value()

    def _plain_strings(self) -> None:
        """Move past a run of plain strings, each followed by a comma (a list of hashes)."""
        while True:
            found = _PLAIN_STRINGS.match(self.buf, self.pos)
            if found is None:
                return
            self.pos = found.end()
            if self.eof or len(self.buf) - self.pos > 4096:
                return
            self._more()  # the run may go on past what is read so far


def _reason(message: str) -> str:
    """orjson's reason, as the rest of a sentence: "Unterminated string starting at" is
    "unterminated string" ("at byte N" follows)."""
    message = message.strip().removesuffix(":").removesuffix(" starting at").removesuffix(" at")
    return message[:1].lower() + message[1:]
