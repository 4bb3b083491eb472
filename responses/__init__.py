"""The bot's own words: the reply catalogue (replies.yaml), the composer, SMS segment rules, lint.

Pure: stdlib and PyYAML only. No Flask, no database, no network, no `keywords` import.

How compose() builds a reply (all in GSM-7, at most 3 segments):
- unsafe_to_text: a short neutral reply with 999 (+ when we are back, if closed). Nothing else.
- a risk kind: the risk reply first, then "a nurse has been alerted" (open) or "nurses are back
  {back_at}, do not wait for us" (closed), then the intro when first. Topics are ignored.
- otherwise: [intro if first] + topic reply for topics[0] (+ topics[1] if it fits and the two
  name at most two loss organisations) + in-hours line, or the out-of-hours safety line with
  {back_at}. greeting/off_topic count only when no other topic is present; practical names the
  organisation for the loss topic present in topics; no topics gives the general reply.
Blocks are joined with newlines.
"""
from .composer import Replies
from .loader import load_replies
from .schema import LOSS_TOPICS, RISK_KINDS, TOPIC_IDS, Reply, RepliesError
from .sms import encoding, non_gsm7, segments, to_gsm7

__all__ = [
    "load_replies", "Replies", "RepliesError", "Reply", "segments", "encoding", "non_gsm7",
    "to_gsm7", "TOPIC_IDS", "RISK_KINDS", "LOSS_TOPICS",
]
