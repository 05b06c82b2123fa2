"""Bytes to text: encoding detection for Arabic news inputs.

In: raw bytes (and an encoding a container declared, if any). Out: ``(text, encoding)``, or a
:class:`~marsad.errors.MarsadError`-style reason when the bytes are binary or undecodable.
Order: BOM (UTF-8, UTF-16 LE/BE) → declared charset → strict UTF-8 → UTF-16 without BOM
(NUL pattern) → the better of Windows-1256 and ISO-8859-6 by share of Arabic letters →
charset-normalizer's best guess. Binary content (NUL bytes, control characters) is refused.
"""

from __future__ import annotations

import codecs
import re

_CHARSET_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w:.-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([\w:.-]+)""", re.I)
_ALIASES = {"windows-1256": "cp1256", "arabic": "iso-8859-6", "iso-8859-6-i": "iso-8859-6",
            "x-mac-arabic": "mac_arabic", "asmo-708": "iso-8859-6"}


class DecodeError(ValueError):
    pass


def declared_charset(raw: bytes) -> str | None:
    """Charset named in an HTML ``<meta>`` or XML declaration within the first 4 KB."""
    head = raw[:4096]
    m = _CHARSET_META.search(head) or _XML_ENCODING.search(head)
    if not m:
        return None
    name = m.group(1).decode("ascii", "ignore").lower()
    name = _ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _arabic_score(text: str) -> float:
    if not text:
        return 0.0
    arabic = sum(1 for c in text if "\u0621" <= c <= "\u064A")
    bad = sum(1 for c in text if c == "\ufffd" or ("\u0080" <= c <= "\u009f") or c in "ÃÂØÙ")
    letters = sum(1 for c in text if c.isalpha())
    return (arabic - 5 * bad) / max(letters, 1)


def _looks_binary(text: str) -> bool:
    sample = text[:20000]
    if not sample:
        return False
    ctrl = sum(1 for c in sample if (c < " " and c not in "\n\r\t\f\v") or c == "\ufffd")
    return "\x00" in sample or ctrl / len(sample) > 0.02


def decode_bytes(raw: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode ``raw``; raise :class:`DecodeError` with a reason a user can act on."""
    if not raw or not raw.strip():
        raise DecodeError("empty input")
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                     (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            return _checked(raw.decode(enc, errors="replace"), enc)
    candidates: list[str] = []
    if declared:
        candidates.append(declared)
    declared_in_text = declared_charset(raw)
    if declared_in_text and declared_in_text not in candidates:
        candidates.append(declared_in_text)
    for enc in candidates:
        try:
            text = raw.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        if enc.replace("-", "").lower() in ("utf8",) or _arabic_score(text) > 0.3 or not _has_high_bytes(raw):
            return _checked(text, enc)
    # UTF-16 without BOM: every other byte NUL in ASCII-heavy text, or Arabic high bytes 0x06.
    if len(raw) >= 4 and len(raw) % 2 == 0:
        even, odd = raw[0::2], raw[1::2]
        for enc, hi in (("utf-16-le", odd), ("utf-16-be", even)):
            share = sum(1 for b in hi[:4000] if b in (0, 6)) / max(len(hi[:4000]), 1)
            if share > 0.9:
                try:
                    return _checked(raw.decode(enc), enc)
                except UnicodeDecodeError:
                    pass
    try:
        return _checked(raw.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    if b"\x00" in raw[:20000]:
        raise DecodeError("binary content (NUL bytes), not text")
    best: tuple[float, str, str] | None = None
    for enc in ("cp1256", "iso-8859-6"):
        text = raw.decode(enc, errors="replace")
        score = _arabic_score(text)
        if best is None or score > best[0]:
            best = (score, text, enc)
    if best and best[0] > 0.5:
        return _checked(best[1], best[2])
    from charset_normalizer import from_bytes

    match = from_bytes(raw[:200000]).best()
    if match is None or match.encoding is None:
        raise DecodeError("binary or undecodable content: no text encoding fits")
    return _checked(raw.decode(match.encoding, errors="replace"), match.encoding)


def _has_high_bytes(raw: bytes) -> bool:
    return any(b > 0x7F for b in raw[:20000])


def _checked(text: str, enc: str) -> tuple[str, str]:
    if _looks_binary(text):
        raise DecodeError("binary content (control characters), not text")
    if "\ufffd" in text:
        bad = text.count("\ufffd")
        if bad / max(len(text), 1) > 0.05:
            raise DecodeError(f"undecodable bytes ({bad} invalid characters as {enc})")
    return text, enc
