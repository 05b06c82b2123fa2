"""Arabic text primitives: matching keys and sentence spans.

In: display text (never altered). Out: normalised matching keys (with an offset map back to the
display text) and sentence spans as character offsets.
"""

from .normalize import fold_arabic, normalize, normalize_with_map, strip_clitics, strip_diacritics, to_western_digits
from .sentences import split_sentences

__all__ = ["fold_arabic", "normalize", "normalize_with_map", "strip_clitics", "strip_diacritics", "to_western_digits", "split_sentences"]
