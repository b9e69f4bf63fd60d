"""Bytes to text, with errors an editor can act on.

Line endings are kept exactly as they are: every offset in mtqa is a Python string
index into the decoded text, and reports must point back into the file as read.
"""

from __future__ import annotations

import codecs
import re


class InputError(Exception):
    """An input cannot be used; ``str(e)`` is a one-line, editor-readable message."""


# A sample is enough to tell text from binary, and keeps big files cheap.
_SAMPLE = 65_536
# Real text has almost no control characters; binary formats are full of them.
_MAX_CONTROL_SHARE = 0.10
# C0 controls except the whitespace ones text legitimately uses (\t \n \v \f \r), plus DEL.
_CONTROL_BYTES = bytes([*range(0x09), *range(0x0E, 0x20), 0x7F])
_CONTROL_CHARS = frozenset(_CONTROL_BYTES.decode("ascii")) | frozenset(map(chr, range(0x80, 0xA0)))
_CONTROL_CHAR = re.compile("[" + "".join(map(re.escape, sorted(_CONTROL_CHARS))) + "]")

# Checked longest first: the UTF-32 LE BOM starts with the UTF-16 LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def check_encoding(encoding: str) -> None:
    """Raise InputError unless ``encoding`` names a text codec Python knows."""
    try:
        # Not b"": decoding empty bytes skips the codec lookup.
        b"a".decode(encoding, errors="ignore")
    except LookupError:
        raise InputError(
            f"unknown encoding {encoding!r}; use a codec name such as utf-8, latin-1 or cp1252"
        ) from None


def decode(data: bytes, encoding: str | None) -> str:
    """Decode a whole file: BOM-aware UTF-8/UTF-16 by default, or the ``encoding`` given.

    Raises InputError for binary data, undecodable bytes and empty text.
    """
    if not data:
        raise InputError("empty file")
    if encoding is not None:
        check_encoding(encoding)
        text = decode_bytes(data, encoding, explicit=True)
        # An explicit "utf-8" or "utf-16" still leaves a BOM character behind.
        text = text.removeprefix("\ufeff")
    else:
        bom, bom_codec = next(((bom, name) for bom, name in _BOMS if data.startswith(bom)), (b"", None))
        if bom_codec is not None:
            text = decode_bytes(data[len(bom) :], bom_codec, explicit=False)
        else:
            # Without a BOM, NUL bytes mean binary (or BOM-less UTF-16, which we do not guess).
            sample = data[:_SAMPLE]
            if b"\x00" in data or _control_share(sample) > _MAX_CONTROL_SHARE:
                raise InputError("binary data, not text")
            text = decode_bytes(data, "utf-8", explicit=False)
    if "\x00" in text[:_SAMPLE] or _char_control_share(text[:_SAMPLE]) > _MAX_CONTROL_SHARE:
        raise InputError("binary data, not text")
    if not text.strip():
        raise InputError("empty file (only whitespace)")
    return text


def decode_bytes(data: bytes, encoding: str, *, explicit: bool) -> str:
    """Strict decode; the error names the first bad byte and says which option fixes it."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as e:
        bad = data[e.start]
        if explicit:
            hint = "check --encoding"
        else:
            # Bytes 0x80-0x9f are unused in latin-1 but hold Windows' curly quotes and dashes.
            guess = "cp1252" if any(0x80 <= b <= 0x9F for b in data[:_SAMPLE]) else "latin-1"
            hint = f"pass --encoding {guess} (or the right encoding)"
        name = "UTF-8" if encoding.replace("_", "-").lower() in ("utf-8", "utf8") else encoding
        raise InputError(f"not valid {name} (byte 0x{bad:02x} at offset {e.start}); {hint}") from None


def size_text(n_bytes: int) -> str:
    """A size as an editor reads it: "812 bytes", "3.2 kB", "52.4 MB" (decimal units)."""
    if n_bytes < 1000:
        return f"{n_bytes} bytes"
    if n_bytes < 1_000_000:
        return f"{n_bytes / 1000:.1f} kB"
    return f"{n_bytes / 1_000_000:.1f} MB"


def _control_share(sample: bytes) -> float:
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls / len(sample) if sample else 0.0


def _char_control_share(sample: str) -> float:
    controls = len(_CONTROL_CHAR.findall(sample))  # in C: a feed reads thousands of files
    return controls / len(sample) if sample else 0.0
