"""Numbers that change the topic: weeks of pregnancy at a loss, and a texter's own age."""
from __future__ import annotations

import re

_UNITS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
          "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
          "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40}
_NUMBER = r"\d{1,2}|(?:twenty|thirty|forty)(?: (?:one|two|three|four|five|six|seven|eight|nine))?|" \
          + "|".join(sorted(_UNITS, key=len, reverse=True))
# normalised text only: textspeak has already turned "wks", "wk", "w" after a number into weeks
_WEEKS = re.compile(rf"(?<![\w])({_NUMBER}) (?:weeks?)(?![\w])")
# ages and school years are found from their numbers (rare in a text) backwards, which is far
# cheaper than scanning every position of the text for "im", "aged" and "year"
_NUMBERS = re.compile(r"(?<![\w])\d{1,2}(?![\w])")
_AGE_BEFORE = re.compile(r"(?:^| )(?:im|i am|aged?)(?: only| just| now| nearly| almost)? $")
_AGE_LAST = re.compile(r"\s*")  # the age alone at the very end of the (normalised) text
_AGE_FIRST = re.compile(r" (?:and|yo|years? old|yrs? old|,)(?:\b| )")
_NOT_AN_AGE = re.compile(r" (?:weeks?|days?|months?|hours?|minutes?|times?|pregnant|percent|and a)\b")
# "im in year 11", "year 11 here": the texter's own school year, not "my son in year 9"
_SCHOOL_BEFORE = re.compile(r"(?:^|^in |(?:^| )(?:im|i am)(?: in| only in| just in)? )(?:year|yr) $")
# "1 year old" or "years old" after the age is a person; "3 years ago" is a date
_WORD_BEFORE = re.compile(r"(\w+) $")
_WORD_AFTER = re.compile(r"^ (\w+)")


def number(text: str) -> int | None:
    """Read "21", "twenty one" or "six" as an integer."""
    if text.isdigit():
        return int(text)
    parts = text.split()
    if parts[0] in _TENS:
        return _TENS[parts[0]] + (_UNITS[parts[1]] if len(parts) > 1 else 0)
    return _UNITS.get(parts[0])


def gestation(text: str, settings: dict) -> tuple[int, int, int, bool] | None:
    """Find "N weeks" read as weeks of pregnancy: (weeks, start, end, still pregnant) or None."""
    if "week" not in text:
        return None
    for m in _WEEKS.finditer(text):
        before = _WORD_BEFORE.search(text, 0, m.start())
        after = _WORD_AFTER.match(text[m.end():])
        if before and before.group(1) in settings["ignore_before"]:
            continue  # "for 2 weeks", "been 6 weeks": a duration, not a gestation
        sure = bool(before and before.group(1) in settings["sure_before"])  # "at 20 weeks after"
        if after and after.group(1) in settings["ignore_after"] \
                and not (sure and after.group(1) in settings["soft_after"]):
            continue  # "5 weeks ago", "9 weeks old"
        weeks = number(m.group(1))
        if weeks is not None and 3 <= weeks <= 44:
            current = bool(before and before.group(1) in settings["current_before"])
            return weeks, m.start(), m.end(), current
    return None


def loss_band(weeks: int, settings: dict) -> str:
    """Name the loss type for a gestation: miscarriage, late_loss or stillbirth."""
    if weeks < settings["miscarriage_below"]:
        return "miscarriage"
    if weeks < settings["stillbirth_from"]:
        return "late_loss"
    return "stillbirth"


def teen_marker(text: str, teen: dict) -> tuple[str, int, int] | None:
    """Find "im 17", "aged 15" or "in year 11" about the texter; return (text, start, end)."""
    for m in _NUMBERS.finditer(text):
        value, window = int(m.group(0)), text[max(0, m.start() - 24):m.start()]
        age = _AGE_BEFORE.search(window)
        if age and teen["min_age"] <= value <= teen["max_age"] \
                and not _NOT_AN_AGE.match(text, m.end()):
            start = m.start() - len(window) + age.start() + (age.group(0)[0] == " ")
            return text[start:m.end()], start, m.end()
        if m.start() == 0 and _AGE_FIRST.match(text, m.end()) and \
                teen["min_age"] <= value <= teen["max_age"]:  # "16 and pregnant again"
            return m.group(0), m.start(), m.end()
        if _AGE_LAST.fullmatch(text, m.end()) and teen["min_age"] <= value <= teen["max_age"] \
                and m.start() > 0 and not _NOT_AN_AGE.match(text, m.end()):
            return m.group(0), m.start(), m.end()  # "... thats not real right? 13": a signature
        school = _SCHOOL_BEFORE.search(window)
        if school and teen["min_school_year"] <= value <= teen["max_school_year"]:
            start = m.start() - len(window) + school.start() + (school.group(0)[0] == " ")
            return text[start:m.end()], start, m.end()
    return None


# A temperature of 38 degrees or more after a birth or a loss is a red flag (infection, sepsis)
# in any language: "39.5", "39,4" (decimal comma), "38 degrees", "40C", "38°". A bare "39" is a
# week of pregnancy as often as a temperature, so it needs a decimal or a degree sign or word.
_FEVER = re.compile(r"(?<![\d£$€.,+/:])(3[89]|4[0-2])(?:[.,](\d)(?!\d))?(?:\s*(°|º|degrees?\b|deg\b|c\b))?",
                    re.I)
_NOT_FEVER_AFTER = re.compile(r"\s*(?:\+|weeks?|wks?|w\b|hours?|hrs?|days?|mins?|minutes|kg|lbs?|%|p\b|pounds)",
                              re.I)


def fever(text: str) -> str | None:
    """The temperature reading (38-42.9 degrees) written in a text, or None."""
    if "3" not in text and "4" not in text:
        return None
    for m in _FEVER.finditer(text):
        if (m.group(2) or m.group(3)) and not _NOT_FEVER_AFTER.match(text, m.end()):
            return m.group(0).strip()
    return None
