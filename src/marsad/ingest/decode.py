"""Bytes to text: encoding detection for Arabic news inputs that keeps what is valid.

In: raw bytes (and an encoding a container declared, if any). Out: :class:`Decoded` (text, the
encoding used, and warnings that say which bytes were damaged and where), or a
:class:`DecodeError` whose message a user can act on when the bytes are binary or undecodable.

Order: BOM (UTF-8, UTF-16 LE/BE) → UTF-8 when the bytes fit it (a few invalid bytes become U+FFFD
with a warning naming each byte and its line and column; a multi-byte character cut at the end is
dropped with a warning) → a declared charset, if it is a real text encoding (``charset="undefined"``
and other names that are not text encodings are ignored) → UTF-16 without BOM (NUL pattern) → the
better of Windows-1256 and ISO-8859-6 by share of Arabic letters → charset-normalizer's best guess.
A legacy codec is chosen only when the bytes fit it better than UTF-8: UTF-8 wins whenever most
high bytes form valid UTF-8 sequences (``utf8_fit``), which legacy Arabic text almost never does.
Binary content (NUL bytes, control characters) and text with too many invalid bytes is refused.
"""

from __future__ import annotations

import codecs
import re
from typing import NamedTuple

_CHARSET_META = re.compile(rb"""<meta[^>]{0,300}?charset\s*=\s*["']?\s*([\w:.-]{1,40})""", re.I)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]{0,200}?encoding\s*=\s*["']([\w:.-]{1,40})""", re.I)
_ALIASES = {"windows-1256": "cp1256", "arabic": "iso-8859-6", "iso-8859-6-i": "iso-8859-6",
            "x-mac-arabic": "mac_arabic", "asmo-708": "iso-8859-6"}
# Codecs Python knows that are not the encoding of a web page (or that raise on any input).
_NOT_PAGE_CODECS = {"undefined", "idna", "punycode", "unicode_escape", "raw_unicode_escape", "utf-7",
                    "palmos", "mbcs", "oem", "cp65001"}
UTF8_MIN_FIT = 0.8          # share of high bytes that must form valid UTF-8 for damaged UTF-8 to stay UTF-8
MAX_BAD_SHARE = 0.05        # more invalid characters than this share of the text: refuse, do not guess
MAX_BAD_FEW = 8             # ... unless there are no more than this many (a short text with one bad byte is kept)
MAX_LISTED = 5              # damaged bytes named one by one in a warning
_ESCAPED = re.compile("[\udc80-\udcff]")


class DecodeError(ValueError):
    pass


class Decoded(NamedTuple):
    text: str
    encoding: str
    warnings: list[str]


def _codec(name: str | None) -> str | None:
    """The Python codec for a declared charset name, or None if it is unknown or not a page encoding."""
    if not name:
        return None
    name = _ALIASES.get(name.strip().lower(), name.strip().lower())
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_PAGE_CODECS:
        return None
    return info.name


def declared_charset(raw: bytes) -> str | None:
    """Charset named in an HTML ``<meta>`` or XML declaration within the first 4 KB (None if unusable)."""
    head = raw[:4096]
    m = _CHARSET_META.search(head) or _XML_ENCODING.search(head)
    return _codec(m.group(1).decode("ascii", "ignore")) if m else None


def _arabic_score(text: str) -> float:
    sample = text[:200000]
    if not sample:
        return 0.0
    arabic = len(re.findall("[\u0621-\u064A]", sample))
    bad = len(re.findall("[\ufffd\u0080-\u009fÃÂØÙ]", sample))
    letters = sum(1 for c in sample if c.isalpha())
    return (arabic - 5 * bad) / max(letters, 1)


def _looks_binary(text: str) -> bool:
    sample = text[:20000]
    if not sample:
        return False
    ctrl = sum(1 for c in sample if c < " " and c not in "\n\r\t\f\v")
    return "\x00" in sample or ctrl / len(sample) > 0.02


def _where(text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return f"line {line} column {col}"


def utf8_fit(raw: bytes) -> tuple[float, str]:
    """``(fit, text)``: the share of non-ASCII characters that are valid UTF-8, and the text with each
    invalid byte kept as a surrogate escape (U+DC80..U+DCFF) so it can be located and named."""
    text = raw.decode("utf-8", errors="surrogateescape")
    bad = len(_ESCAPED.findall(text))
    high = sum(1 for c in text if c > "\x7f") - bad
    return (high / (high + bad) if high + bad else 1.0), text


def _repair_utf8(text: str) -> tuple[str, list[str]]:
    """Replace surrogate-escaped invalid bytes with U+FFFD; a character cut at the very end is dropped."""
    warnings: list[str] = []
    tail = re.search("[\udc80-\udcff]{1,3}$", text)
    if tail and all(0x80 <= ord(c) - 0xDC00 <= 0xFF for c in tail.group(0)):
        lead = ord(tail.group(0)[0]) - 0xDC00
        if lead >= 0xC2:  # a lead byte (and its continuation bytes) with the rest of the character missing
            warnings.append(f"text ends inside a multi-byte UTF-8 character (bytes {_hex(tail.group(0))} dropped)")
            text = text[:tail.start()]
    found = list(_ESCAPED.finditer(text))
    if found:
        listed = ", ".join(f"0x{ord(m.group(0)) - 0xDC00:02X} at {_where(text, m.start())}" for m in found[:MAX_LISTED])
        more = f" and {len(found) - MAX_LISTED} more" if len(found) > MAX_LISTED else ""
        warnings.append(f"invalid UTF-8: {len(found)} byte(s) replaced with U+FFFD ({listed}{more})")
        text = _ESCAPED.sub("\ufffd", text)
    return text, warnings


def _hex(escaped: str) -> str:
    return " ".join(f"0x{ord(c) - 0xDC00:02X}" for c in escaped)


def decode(raw: bytes, declared: str | None = None) -> Decoded:
    """Decode ``raw``; raise :class:`DecodeError` with a reason a user can act on."""
    if not raw or not raw.strip():
        raise DecodeError("empty input")
    if raw.startswith(codecs.BOM_UTF8):
        return _utf8(raw[len(codecs.BOM_UTF8):], "utf-8-sig")
    for bom in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        if raw.startswith(bom):
            return _utf16(raw, "utf-16")
    fit, _ = utf8_fit(raw[:200000])
    high = any(b > 0x7F for b in raw[:200000])
    if b"\x00" not in raw[:20000] and (not high or fit >= UTF8_MIN_FIT):
        return _utf8(raw, "utf-8")
    for enc in dict.fromkeys(c for c in (_codec(declared), declared_charset(raw)) if c):
        if enc.startswith("utf-8") or enc.startswith("utf_8"):
            continue  # the bytes do not fit UTF-8 (above): a page that says UTF-8 but is not
        try:
            text = raw.decode(enc)
        except (UnicodeError, LookupError, ValueError):
            continue
        if enc.startswith("utf-16") or _arabic_score(text) > 0.3:
            return _checked(Decoded(text, enc, []))
    # UTF-16 without BOM: every other byte NUL in ASCII-heavy text, or Arabic high bytes 0x06.
    if len(raw) >= 4:
        even, odd = raw[0::2], raw[1::2]
        for enc, hi in (("utf-16-le", odd), ("utf-16-be", even)):
            share = sum(1 for b in hi[:4000] if b in (0, 6)) / max(len(hi[:4000]), 1)
            if share > 0.9:
                return _utf16(raw, enc)
    if b"\x00" in raw[:20000]:
        raise DecodeError(f"binary content (NUL byte at offset {raw.index(0)}), not text")
    best: tuple[float, str, str] | None = None
    for enc in ("cp1256", "iso-8859-6"):
        text = raw.decode(enc, errors="replace")
        score = _arabic_score(text)
        if best is None or score > best[0]:
            best = (score, text, enc)
    if best and best[0] > 0.5:
        return _checked(Decoded(best[1], best[2], []))
    from charset_normalizer import from_bytes

    match = from_bytes(raw[:200000]).best()
    enc = _codec(match.encoding) if match is not None else None
    if enc is None:
        raise DecodeError("binary or undecodable content: no text encoding fits")
    return _checked(Decoded(raw.decode(enc, errors="replace"), enc, []))


def _utf8(raw: bytes, enc: str) -> Decoded:
    _, text = utf8_fit(raw)
    text, warnings = _repair_utf8(text)
    return _checked(Decoded(text, enc, warnings))


def _utf16(raw: bytes, enc: str) -> Decoded:
    warnings = []
    if len(raw) % 2:
        warnings.append(f"odd number of bytes for UTF-16: last byte 0x{raw[-1]:02X} dropped")
        raw = raw[:-1]
    text = raw.decode(enc, errors="replace")
    bad = text.count("\ufffd")
    if bad:
        warnings.append(f"invalid UTF-16: {bad} unpaired surrogate(s) replaced with U+FFFD "
                        f"(first at {_where(text, text.index(chr(0xFFFD)))})")
    return _checked(Decoded(text.lstrip("\ufeff"), enc, warnings))


def _checked(d: Decoded) -> Decoded:
    if _looks_binary(d.text):
        first = next(i for i, c in enumerate(d.text) if c < " " and c not in "\n\r\t\f\v")
        raise DecodeError(f"binary content (control character U+{ord(d.text[first]):04X} at {_where(d.text, first)} "
                          f"as {d.encoding}), not text")
    bad = d.text.count("\ufffd")
    if bad > MAX_BAD_FEW and bad / max(len(d.text), 1) > MAX_BAD_SHARE:
        raise DecodeError(f"undecodable bytes ({bad} invalid characters as {d.encoding}, the first at "
                          f"{_where(d.text, d.text.index(chr(0xFFFD)))})")
    if not d.text.strip():
        raise DecodeError("empty input")
    return d


def decode_bytes(raw: bytes, declared: str | None = None) -> tuple[str, str]:
    """``(text, encoding)`` of :func:`decode` (warnings dropped)."""
    d = decode(raw, declared)
    return d.text, d.encoding
