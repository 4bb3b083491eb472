"""SMS encoding rules: GSM-7 or UCS-2, and how many parts a text is billed as.

Counts as Twilio bills: the GSM 03.38 basic set is one septet, the extension set (escape + char)
is two septets and is never split across parts; anything else makes the whole text UCS-2, where
a character outside the BMP is a surrogate pair (two units) that is never split either.
"""
import unicodedata

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")
_GSM7_ALL = GSM7_BASIC | GSM7_EXTENSION

# (single-part limit, per-part limit when split), in septets or UTF-16 units
_LIMITS = {"GSM-7": (160, 153), "UCS-2": (70, 67)}

# Typography that phones and word processors slip in, with the plain GSM-7 a reader expects.
_REPLACEMENTS = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u00b4": "'",
    "`": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"', "\u2039": "'", "\u203a": "'",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-", "\u2026": "...", "\u2022": "-", "\u00b7": "-", "\u00d7": "x",
    "\u00a0": " ", "\u2002": " ", "\u2003": " ", "\u2007": " ", "\u2009": " ", "\u200a": " ",
    "\u202f": " ", "\u2028": "\n", "\u2029": "\n", "\t": " ",
    "\u200b": "", "\u200c": "", "\u200d": "", "\u2060": "", "\ufeff": "", "\u00ad": "",
    "\ufe0f": "", "\ufe0e": "",
}


def is_gsm7(char: str) -> bool:
    """Tell whether one character can be sent in GSM-7 (basic or extension set)."""
    return char in GSM7_BASIC or char in GSM7_EXTENSION


def encoding(text: str) -> str:
    """Return the encoding a text is sent in: "GSM-7" or "UCS-2"."""
    return "GSM-7" if _GSM7_ALL.issuperset(text) else "UCS-2"


def non_gsm7(text: str) -> list[str]:
    """List the distinct characters that force UCS-2, in order of first appearance."""
    return list(dict.fromkeys(c for c in text if not is_gsm7(c)))


def _units(text: str, enc: str) -> list[int]:
    if enc == "GSM-7":
        return [2 if c in GSM7_EXTENSION else 1 for c in text]
    return [2 if ord(c) > 0xFFFF else 1 for c in text]


def segments(text: str) -> int:
    """Count the SMS parts a text is billed as (0 for an empty text)."""
    if not text:
        return 0
    chars = set(text)
    enc = "GSM-7" if _GSM7_ALL.issuperset(chars) else "UCS-2"
    single, multi = _LIMITS[enc]
    wide = chars & GSM7_EXTENSION if enc == "GSM-7" else {c for c in chars if ord(c) > 0xFFFF}
    if not wide:  # every character is one unit: no splitting rule to apply (the common case)
        return 1 if len(text) <= single else -(-len(text) // multi)
    units = _units(text, enc)
    if sum(units) <= single:
        return 1
    parts, used = 1, 0
    for unit in units:  # a two-unit character that does not fit starts the next part
        if used + unit > multi:
            parts, used = parts + 1, 0
        used += unit
    return parts


def _plain(char: str) -> str:
    if is_gsm7(char):
        return char
    if char in _REPLACEMENTS:
        return _REPLACEMENTS[char]
    # accented letters outside GSM-7 (a acute, c cedilla...) lose the accent, when that is enough
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    if base and all(is_gsm7(c) for c in base):
        return base
    return char


def to_gsm7(text: str) -> str:
    """Replace curly quotes, dashes, ellipses, odd spaces and accents by GSM-7 equivalents.

    Characters with no plain equivalent (emoji, other scripts) are left as they are: find them
    with non_gsm7().
    """
    return "".join(_plain(c) for c in text)
