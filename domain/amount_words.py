"""Amounts in Vietnamese words (số tiền bằng chữ), as fee receipts print them: "Một triệu năm trăm nghìn đồng".

Reading rules: groups of three digits named nghìn, triệu, tỷ (then nghìn tỷ, triệu tỷ); inside a group "mười" for
10–19, "mươi" for the other tens, "mốt" for a final 1 after a ten of 20 or more, "lăm" for a final 5 after any ten,
"lẻ" when the tens are zero and units are not; a group after a larger one reads its zero hundreds ("không trăm").
`words_to_amount` reads such a text back, so the two are tested as a round trip.
"""

from __future__ import annotations

from domain.errors import InvalidValueError

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
SCALES = ((10**9, "tỷ"), (10**6, "triệu"), (10**3, "nghìn"))
MAX_WORDS_AMOUNT = 10**18 - 1


def _group(n: int, leading: bool) -> list[str]:
    """Words of 1..999; a non-leading group says its zero hundreds."""
    hundreds, tens, units = n // 100, n // 10 % 10, n % 10
    words: list[str] = []
    if hundreds or not leading:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units:
            words += (["lẻ"] if words else []) + [DIGITS[units]]
        return words
    words += ["mười"] if tens == 1 else [DIGITS[tens], "mươi"]
    if units == 1 and tens > 1:
        words.append("mốt")
    elif units == 5:
        words.append("lăm")
    elif units:
        words.append(DIGITS[units])
    return words


def _words(n: int, leading: bool) -> list[str]:
    """Words of 1..10^18-1; amounts of a billion and more repeat "tỷ" (nghìn tỷ, triệu tỷ)."""
    if n >= 10**9:
        high, low = divmod(n, 10**9)
        return _words(high, leading) + ["tỷ"] + (_words(low, False) if low else [])
    words: list[str] = []
    for scale, name in SCALES[1:]:
        part, n = divmod(n, scale)
        if part:
            words += _group(part, leading and not words) + [name]
    if n:
        words += _group(n, leading and not words)
    return words


def amount_in_words(amount: int) -> str:
    """Whole đồng in Vietnamese words, capitalised, ending in "đồng": 1_500_000 → "Một triệu năm trăm nghìn đồng"."""
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 <= amount <= MAX_WORDS_AMOUNT:
        raise InvalidValueError("amount", "must be a whole number of đồng from 0", "phải là số đồng nguyên không âm")
    text = " ".join(_words(amount, True)) if amount else "không"
    return f"{text[0].upper()}{text[1:]} đồng"


_DIGIT_VALUE = {word: value for value, word in enumerate(DIGITS)} | {"mốt": 1, "lăm": 5, "tư": 4}
_SCALE_VALUE = {"nghìn": 10**3, "ngàn": 10**3, "triệu": 10**6, "tỷ": 10**9, "tỉ": 10**9}


def words_to_amount(text: str) -> int:
    """Read an amount written in Vietnamese words back into đồng (the inverse of `amount_in_words`)."""
    tokens = text.strip().lower().removesuffix("chẵn").strip().removesuffix("đồng").split()
    if not tokens:
        raise InvalidValueError("amount", "no words", "không có chữ số nào")
    parts: list[int] = []  # amounts already multiplied by a scale, largest first
    group = pending = 0
    for token in tokens:
        if token in ("lẻ", "linh"):  # "zero tens": nothing to add
            continue
        if token in _DIGIT_VALUE:
            pending = _DIGIT_VALUE[token]
        elif token == "trăm":
            group, pending = group + pending * 100, 0
        elif token == "mươi":
            group, pending = group + pending * 10, 0
        elif token == "mười":
            group, pending = group + 10, 0
        elif token in _SCALE_VALUE:
            scale = _SCALE_VALUE[token]
            below = sum(p for p in parts if p < scale) + group + pending
            parts = [p for p in parts if p >= scale] + [below * scale]
            group = pending = 0
        else:
            raise InvalidValueError("amount", f"unknown word {token!r}", f'không hiểu từ "{token}"')
    return sum(parts) + group + pending
