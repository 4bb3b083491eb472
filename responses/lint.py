"""Check every reply in a loaded catalogue; returns problems as (entry id, message) pairs."""
import itertools
import re
import string
import unicodedata

from .composer import Replies
from .schema import (BABY, BABY_WORDS, BACK_AT_ENTRIES, BACK_AT_SAMPLE, COMPOSED_BUDGET, LOSS_ORGS,
                     MAX_LOSS_ORGS, PLACEHOLDER, REPLY_BUDGET, RISK_KINDS, TOPIC_IDS, Reply, mentions)
from .sms import non_gsm7, segments, to_gsm7

# Things bereaved parents tell us hurt. Matched on word boundaries, case-insensitive, after
# straightening quotes. Kept in code so that editing the catalogue cannot switch the check off.
HURTFUL = [
    r"at least", r"(everything|it) happens? for a reason", r"meant to be", r"for the best",
    r"you can (always )?try again", r"try again", r"try for another", r"another baby",
    r"move on", r"moving on", r"get over (it|this)", r"(be|stay) strong", r"i know how you feel",
    r"i know exactly how you feel", r"god'?s plan", r"angels?", r"better place", r"time heals",
    r"(you're|you are) (still )?young", r"nature'?s way", r"could have been worse",
    r"(don't|do not) cry", r"cheer up", r"bright side", r"be (grateful|thankful)",
    r"it was(n't| not) a real baby", r"only (a few|\d+) weeks",
]
# Someone else may read the lock screen: these words stay out of the opening of risk_others
# and out of the reply for people it is not safe to text.
HEADLINE_WORDS = [r"abuse", r"abusive", r"abuser", r"domestic", r"violence", r"violent",
                  r"refuge", r"police"]


def lint(replies: Replies) -> list[tuple[str, str]]:
    """Return every problem in the catalogue; an empty list means it is fit to send."""
    problems = []
    for reply in [*replies.entries.values(), *replies.canned_replies]:
        problems += [(reply.id, p) for p in check_reply(reply)]
    for reply, _ in replies.languages.values():
        problems += [(reply.id, p) for p in check_language(reply)]
    problems += check_discretion(replies)
    problems += check_compositions(replies)
    return problems


def check_reply(reply: Reply) -> list[str]:
    """Return what is wrong with one entry on its own."""
    text = reply.text
    problems = _check_characters(text) + _check_placeholders(reply)
    if not problems:  # the budget needs a renderable template
        rendered = text.replace("{" + PLACEHOLDER + "}", BACK_AT_SAMPLE).replace(
            "{" + BABY + "}", max(BABY_WORDS.values(), key=len))
        n = segments(rendered)
        if n > reply.budget:
            where = f" with back_at {BACK_AT_SAMPLE!r}" if rendered != text else ""
            problems.append(f"is {n} SMS segments ({len(rendered)} characters){where}; "
                            f"its budget is {reply.budget}")
    for pattern in reply.must_name():
        if not mentions(text, [pattern]):
            problems.append(f"is missing its signpost: must name /{pattern}/")
    plain = to_gsm7(text).lower()
    for phrase in HURTFUL:
        if mentions(plain, [phrase]):
            problems.append(f"uses a hurtful phrase matching /{phrase}/: rephrase it")
    orgs = mentions(text, LOSS_ORGS)
    if len(orgs) > MAX_LOSS_ORGS:
        problems.append(f"names {len(orgs)} loss organisations ({', '.join(orgs)}); "
                        f"at most {MAX_LOSS_ORGS} per reply")
    return problems


def check_language(reply: Reply) -> list[str]:
    """A message in the parent's language: any characters (UCS-2), within its budget, with 999."""
    problems = []
    if segments(reply.text) > reply.budget:
        problems.append(f"is {segments(reply.text)} SMS segments ({len(reply.text)} characters, "
                        f"sent as UCS-2); its budget is {reply.budget}")
    if "999" not in reply.text:
        problems.append("must say to call 999 in an emergency")
    if "{" in reply.text or "}" in reply.text:
        problems.append("has a brace: no placeholders in these messages")
    return problems


def _check_characters(text: str) -> list[str]:
    problems = []
    for char in non_gsm7(text):
        at = text.index(char)
        name = unicodedata.name(char, "unnamed")
        suggestion = to_gsm7(char)
        hint = f"; use {suggestion!r} instead" if suggestion != char else ""
        problems.append(f"character {char!r} (U+{ord(char):04X} {name}) at position {at} "
                        f"(near {text[max(0, at - 12):at + 12]!r}) is not GSM-7{hint}")
    return problems


def _check_placeholders(reply: Reply) -> list[str]:
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(reply.text) if f is not None]
    except ValueError as e:
        return [f"has a stray brace: {e} (braces mark placeholders; only {{{PLACEHOLDER}}})"]
    problems = [f"has an unknown placeholder {{{f}}}: only {{{PLACEHOLDER}}} and {{{BABY}}} exist"
                for f in fields if f not in (PLACEHOLDER, BABY)]
    takes = reply.id in BACK_AT_ENTRIES
    if PLACEHOLDER in fields and not takes:
        problems.append(f"uses {{{PLACEHOLDER}}}, which is only filled in "
                        f"{', '.join(sorted(BACK_AT_ENTRIES))}")
    if takes and PLACEHOLDER not in fields:
        problems.append(f"must say when nurses are back with {{{PLACEHOLDER}}}")
    return problems


def check_discretion(replies: Replies) -> list[tuple[str, str]]:
    """Keep abuse headline words off the lock-screen preview of the discreet replies."""
    problems = []
    opening = re.split(r"(?<=[.!?])\s", replies["risks.risk_others"].text, maxsplit=1)[0]
    for word in mentions(opening, HEADLINE_WORDS):
        problems.append(("risks.risk_others", f"first sentence says {word!r}: someone else may "
                         "see the phone, keep the opening neutral"))
    for word in mentions(replies["parts.unsafe_to_text"].text, HEADLINE_WORDS):
        problems.append(("parts.unsafe_to_text", f"says {word!r}: keep this reply neutral"))
    return problems


def check_compositions(replies: Replies) -> list[tuple[str, str]]:
    """Check the longest reply each entry can be part of still fits the composed budget."""
    if any(check_reply(r) for r in replies.entries.values()):
        return []  # fix the entries first; their own messages say what is wrong
    problems = []
    closed = BACK_AT_SAMPLE
    for topic, open_now in itertools.product(TOPIC_IDS + (None,), (True, False)):
        topics = (topic,) if topic else ()
        text = replies.compose(topics=topics, first=True, open_now=open_now, back_at=closed,
                               relation="grandparent")
        body = replies[f"topics.{topic}"] if topic else replies["parts.general"]
        when = "in-hours" if open_now else "out-of-hours"
        if segments(text) > REPLY_BUDGET:
            problems.append((body.id, f"makes a first, {when} reply of {segments(text)} segments "
                             f"(budget {REPLY_BUDGET}): shorten it, the intro or the hours block"))
        missing = [p for p in body.must_name() if not mentions(text, [p])]
        if missing:
            problems.append((body.id, f"loses its signpost /{missing[0]}/ when shortened to fit a "
                             f"first, {when} reply: put it in a shorter sentence"))
    intro = replies["parts.intro"].text
    for kind, open_now in itertools.product(RISK_KINDS, (True, False)):
        risk = replies[f"risks.{kind}"]
        full = replies.risk_frame(risk, False, open_now, closed) + "\n" + intro
        if segments(full) > COMPOSED_BUDGET:
            tail = "risk_in_hours" if open_now else "risk_out_of_hours"
            problems.append((risk.id, f"with {tail} and the intro makes {segments(full)} segments "
                             f"(budget {COMPOSED_BUDGET})"))
    n = segments(replies.unsafe_frame(False, closed))
    if n > COMPOSED_BUDGET:
        problems.append(("parts.unsafe_to_text", f"makes {n} segments out of hours"))
    return problems
