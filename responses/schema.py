"""What replies.yaml must hold, and what each reply must name: the contract the lint enforces."""
import re
from dataclasses import dataclass

from .shared import LOSS_TOPICS, RISK_KINDS, TOPICS as TOPIC_IDS  # noqa: F401 - the one vocabulary
# replies that only make sense when nothing more specific was recognised
FILLER_TOPICS = ("greeting", "off_topic")
# a topic whose reply already says what another's would: the other is left out beside it
# (the confidentiality answer keeps ChatHealth; a named kind of loss says more than "loss")
SUBSUMES = {"confidential": ("teen",), **{loss: ("loss",) for loss in LOSS_TOPICS}}
# replies after which "a nurse will text you back" would be wrong (they asked us to stop)
NO_CALLBACK_TOPICS = ("stop_request",)

SECTIONS = {
    "parts": ("intro", "general", "in_hours", "closing_soon", "out_of_hours", "risk_in_hours",
              "risk_out_of_hours", "back_at_fallback", "unsafe_to_text", "unsafe_out_of_hours",
              "teen_risk"),
    "risks": RISK_KINDS,
    "topics": TOPIC_IDS,
    "practical_by_loss": LOSS_TOPICS,
    "messages": ("help", "stop_howto", "burst_ack_open", "burst_ack_closed", "urgent_ack_open",
                 "urgent_ack_closed", "opted_in", "opted_out_hint", "nurses_in"),
}
ENTRY_FIELDS = {"text", "budget", "signpost"}
CANNED_FIELDS = ENTRY_FIELDS | {"id", "label"}
CANNED_COUNT = (6, 10)

# Segment caps: a reply's own `budget` may be lower, never higher. Whole composed replies
# (intro + topic or risk + hours block) must fit COMPOSED_BUDGET.
SECTION_CAPS = {"parts": 2, "risks": 3, "topics": 2, "practical_by_loss": 2, "messages": 1, "canned": 2}
ENTRY_CAPS = {"messages.help": 2}
COMPOSED_BUDGET = 3  # a risk reply, whole
REPLY_BUDGET = 2     # every other reply, the first one (intro + topic + hours) included
# a message in the parent's language (languages:) may be UCS-2, and takes at most this many
LANGUAGE_BUDGET = 2
# the longest reopening time the bot phrases ("Tuesday 29 December at 8am" and the like)
BACK_AT_SAMPLE = "Wednesday 30 September at 8:00"

PLACEHOLDER = "back_at"
BACK_AT_ENTRIES = frozenset({"parts.out_of_hours", "parts.risk_out_of_hours", "parts.closing_soon",
                             "parts.unsafe_out_of_hours", "messages.burst_ack_closed",
                             "messages.urgent_ack_closed"})
# {baby} may stand anywhere for "your baby", or "your grandchild" when a grandparent writes
BABY = "baby"
BABY_WORDS = {None: "your baby", "grandparent": "your grandchild"}

# What each reply must name, as regexes matched on word boundaries, case-insensitive (all must
# match; "|" gives alternatives). Topic rules mirror the triage evaluation's SIGNPOSTS.
DAY = r"(mon|tues|wednes|thurs|fri|satur|sun)day|tomorrow|today"
HOUR = r"(8|9)(:00|\.00)? ?am"
REQUIRED = {
    "parts.intro": [r"STOP"],
    "parts.out_of_hours": [r"999"],
    "parts.back_at_fallback": [DAY, HOUR],
    "parts.unsafe_to_text": [r"999"],
    "risks.risk_self": [r"999", r"116 123"],
    "risks.risk_others": [r"999", r"55"],
    "risks.medical_urgent": [r"999", r"111"],
    "topics.miscarriage": [r"miscarriage association"],
    "topics.stillbirth": [r"sands"],
    "topics.neonatal_death": [r"sands"],
    "topics.sudden_infant_death": [r"lullaby trust"],
    "topics.late_loss": [r"healthtalk|sands"],
    "topics.partner_relationship": [r"counsell?ing|relate"],
    "topics.siblings": [r"just one norfolk"],
    "topics.friends_family": [r"friends?\b.*\bfamily|family\b.*\bfriends?"],
    "topics.low_mood": [r"gp", r"wellbeing"],
    "topics.trauma": [r"gp", r"wellbeing"],
    "topics.memories": [r"keepsakes?|candles?|trees?|lockets?|stars?|memory box|anniversar(y|ies)"],
    "topics.practical": [r"sands", r"nhs\.uk"],
    "topics.next_pregnancy": [r"midwife|obstetrician|consultant"],
    "topics.physical_recovery": [r"booklet|exercise"],
    "topics.teen": [r"chathealth", r"07480 ?635 ?060"],
    "topics.support_groups": [r"forum|support groups?"],
    "topics.hours": [r"8 ?am"],
    "topics.human": [r"nurse"],
    "topics.stop_request": [r"STOP"],
    "topics.off_topic": [r"parentline"],
    "practical_by_loss.miscarriage": [r"miscarriage association"],
    "practical_by_loss.stillbirth": [r"sands"],
    "practical_by_loss.neonatal_death": [r"sands"],
    "practical_by_loss.sudden_infant_death": [r"lullaby trust"],
    # Healthtalk alone does not count as a practical signpost; Sands does
    "practical_by_loss.late_loss": [r"healthtalk", r"sands"],
    "messages.help": [r"07520 ?631 ?590", r"0300 ?300 ?0123", r"999", r"8 ?am"],
    "messages.stop_howto": [r"STOP"],
    "messages.burst_ack_closed": [r"999"],
    "messages.urgent_ack_open": [r"999"],
    "messages.urgent_ack_closed": [r"999"],
    "parts.closing_soon": [r"999"],
    "parts.teen_risk": [r"chathealth", r"07480 ?635 ?060"],
    "topics.confidential": [r"chathealth", r"07480 ?635 ?060"],
    "topics.bleeding": [r"111", r"999"],
    "topics.loss": [r"sands"],
    "messages.opted_out_hint": [r"START", r"999"],
    "messages.nurses_in": [r"nurses?", r"999"],
}
# naming more than two of these in one reply is a shotgun answer, not a signpost
LOSS_ORGS = [r"miscarriage association", r"sands", r"lullaby trust", r"healthtalk"]
MAX_LOSS_ORGS = 2


class RepliesError(Exception):
    """The reply catalogue is broken; the message names the file and each bad entry."""

    def __init__(self, path, problems):
        self.path = str(path)
        self.problems = list(problems)  # [(entry id, what is wrong)]
        lines = [f"{self.path}: {entry}: {problem}" for entry, problem in self.problems]
        super().__init__(f"{len(lines)} problem(s) in the reply catalogue:\n" + "\n".join(lines))


@dataclass(frozen=True)
class Reply:
    """One catalogue entry: its id ("topics.miscarriage"), template text and limits."""

    id: str
    text: str
    budget: int
    signpost: tuple[str, ...] = ()
    label: str = ""

    def must_name(self) -> list[str]:
        """Return the regexes this reply must match: the built-in rule plus its signposts."""
        return REQUIRED.get(self.id, []) + [re.escape(s) for s in self.signpost]


def mentions(text: str, patterns) -> list[str]:
    """Return the patterns found in text on word boundaries, case-insensitive."""
    return [p for p in patterns if re.search(r"(?<!\w)(" + p + r")(?!\w)", text, re.I)]


def cap_for(entry_id: str) -> int:
    """Return the most segments an entry may take."""
    return ENTRY_CAPS.get(entry_id, SECTION_CAPS[entry_id.split(".", 1)[0]])
