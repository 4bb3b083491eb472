"""Conversation data: typed SQLAlchemy 2 models.

Times are stored as naive UTC (`UTCDateTime`) so SQLite and PostgreSQL hold the same thing, and
come back aware. Outgoing rows of `messages` are the outbox: every text we send is written here
first, with its own id, before any attempt to send it.
"""
from __future__ import annotations

import enum
from datetime import datetime, timezone
from typing import Annotated, Any, Optional

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship


class UTCDateTime(TypeDecorator[datetime]):
    """Store aware datetimes as naive UTC; return them aware (UTC)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: Optional[datetime], dialect: Any) -> Optional[datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given: pass an aware datetime (handoff.clock.now())")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: Optional[datetime], dialect: Any) -> Optional[datetime]:
        return None if value is None else value.replace(tzinfo=timezone.utc)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Timestamp = Annotated[datetime, mapped_column(UTCDateTime())]
MaybeTimestamp = Annotated[Optional[datetime], mapped_column(UTCDateTime(), nullable=True)]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class StrEnum(str, enum.Enum):
    def __str__(self) -> str:
        return self.value


class Role(StrEnum):
    NURSE = "nurse"
    SUPERVISOR = "supervisor"


class Priority(StrEnum):
    URGENT = "urgent"
    NORMAL = "normal"
    LOW = "low"


class Status(StrEnum):
    WAITING = "waiting"  # in the queue, nobody holds it
    HELD = "held"  # a nurse has claimed it
    CLOSED = "closed"


class Outcome(StrEnum):
    ADVICE_GIVEN = "advice given"
    SIGNPOSTED = "signposted"
    REFERRED = "referred"
    SAFEGUARDING = "safeguarding concern raised"
    NO_REPLY = "no reply from parent"
    # only the `stale` job closes with this: our text was the last, and the parent went quiet
    STOPPED_REPLYING = "parent stopped replying"


# what a nurse may choose when she closes a conversation herself
NURSE_OUTCOMES = tuple(o for o in Outcome if o != Outcome.STOPPED_REPLYING)


class EventKind(StrEnum):
    """What happened on a conversation's log; `handoff.audit.EVENT_WORDS` says each in words."""

    QUEUED = "queued"
    RISK_FLAGGED = "risk_flagged"
    CLAIMED = "claimed"
    RELEASED = "released"
    TRANSFERRED = "transferred"
    REPLIED = "replied"
    NOTE = "note"
    CLOSED = "closed"
    OPTED_OUT = "opted_out"
    OPTED_IN = "opted_in"
    READ = "read"  # reads logged before the audit log existed; new reads go to `audit_log`
    ESCALATED = "escalated"  # waited too long with no nurse: marked, and the on-call contact alerted
    HANDED_OVER = "handed_over"  # waited overnight: marked for the first nurses in


class AuditKind(StrEnum):
    """What staff (or the system) did that the audit log keeps; `handoff.audit.AUDIT_WORDS` says each."""

    SIGNED_IN = "signed_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGNED_OUT = "signed_out"
    CONVERSATION_VIEWED = "conversation_viewed"
    CLAIMED = "claimed"
    NUMBER_REVEALED = "number_revealed"
    SEARCHED = "searched"
    EXPORTED = "exported"
    ACCOUNT_CREATED = "account_created"
    ACCOUNT_DEACTIVATED = "account_deactivated"
    ROLE_CHANGED = "role_changed"
    PASSWORD_RESET = "password_reset"
    CATALOGUE_CHANGED = "catalogue_changed"
    RETENTION_PURGED = "retention_purged"
    PROVIDER_COPIES_DELETED = "provider_copies_deleted"


class Direction(StrEnum):
    IN = "in"
    OUT = "out"


class Author(StrEnum):
    PARENT = "parent"
    BOT = "bot"
    NURSE = "nurse"


class DeliveryStatus(StrEnum):
    """Where an outgoing text is; ranks never move backwards (see `DELIVERY_RANK`)."""

    RECEIVED = "received"  # inbound texts
    TWIML = "replied"  # sent as the webhook's TwiML answer
    PENDING = "pending"  # in the outbox, not yet handed to Twilio
    RETRY = "retry"  # a retryable error: the retry job will send it again
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"


DELIVERY_RANK = {
    DeliveryStatus.PENDING: 0,
    DeliveryStatus.RETRY: 1,
    DeliveryStatus.QUEUED: 2,
    DeliveryStatus.SENDING: 3,
    DeliveryStatus.SENT: 4,
    DeliveryStatus.UNDELIVERED: 5,
    DeliveryStatus.FAILED: 5,
    DeliveryStatus.DELIVERED: 6,
}


def _enum(kind: type[enum.Enum], length: int = 32) -> Any:
    from sqlalchemy import Enum

    return Enum(kind, values_callable=lambda e: [m.value for m in e], native_enum=False,
                length=length, validate_strings=True)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(_enum(Role))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[MaybeTimestamp]
    last_login_at: Mapped[MaybeTimestamp]
    created_at: Mapped[Timestamp]


class Contact(Base):
    """A phone number that has texted us; opt-out state lives here."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(64), unique=True)
    opted_out_at: Mapped[MaybeTimestamp]
    created_at: Mapped[Timestamp]

    @property
    def is_opted_out(self) -> bool:
        return self.opted_out_at is not None


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (
        # one open conversation per number: follow-up texts join it
        Index("uq_conversations_open_contact", "contact_id", unique=True,
              sqlite_where=text("status != 'closed'"), postgresql_where=text("status != 'closed'")),
        Index("ix_conversations_queue", "status", "priority", "waiting_since"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    status: Mapped[Status] = mapped_column(_enum(Status), default=Status.WAITING)
    priority: Mapped[Priority] = mapped_column(_enum(Priority), default=Priority.NORMAL)
    # since the parent's oldest text that no nurse has answered yet; None once a nurse has
    # replied to everything (the queue, the dashboard and escalation all read this one column)
    waiting_since: Mapped[MaybeTimestamp]
    opened_at: Mapped[Timestamp]
    closed_at: Mapped[MaybeTimestamp]
    holder_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"), nullable=True)
    claimed_at: Mapped[MaybeTimestamp]
    outcome: Mapped[Optional[Outcome]] = mapped_column(_enum(Outcome, 64), nullable=True)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    risk_kind: Mapped[Optional[str]] = mapped_column(String(32), nullable=True)
    risk_phrases: Mapped[list[str]] = mapped_column(JSON, default=list)
    unsafe_to_text: Mapped[bool] = mapped_column(Boolean, default=False)
    arrived_out_of_hours: Mapped[bool] = mapped_column(Boolean, default=False)
    last_full_reply_at: Mapped[MaybeTimestamp]
    last_ack_at: Mapped[MaybeTimestamp]
    last_parent_text_at: Mapped[MaybeTimestamp]
    # set by the `escalation` job for the current wait (see `is_waiting_too_long`)
    escalated_at: Mapped[MaybeTimestamp]
    # set by the `handover` job to the opening at which it handed a waiting conversation over
    handed_over_at: Mapped[MaybeTimestamp]
    # the language the parent mostly writes in, when not English ("pl", "lt" ...), for the nurse
    language: Mapped[Optional[str]] = mapped_column(String(8), nullable=True)

    contact: Mapped[Contact] = relationship(lazy="joined")
    holder: Mapped[Optional[User]] = relationship(lazy="joined")
    messages: Mapped[list["Message"]] = relationship(back_populates="conversation", order_by="Message.id")
    events: Mapped[list["Event"]] = relationship(back_populates="conversation", order_by="Event.id")

    @property
    def is_open(self) -> bool:
        return self.status != Status.CLOSED

    @property
    def is_waiting_too_long(self) -> bool:
        """Escalated for the wait it is in now, and still with no nurse."""
        return (self.status == Status.WAITING and self.escalated_at is not None
                and self.waiting_since is not None and self.escalated_at >= self.waiting_since)

    @property
    def is_handed_over(self) -> bool:
        """Waiting since before the last opening, and marked for the first nurses in."""
        return (self.handed_over_at is not None and self.waiting_since is not None
                and self.handed_over_at >= self.waiting_since)


class Message(Base):
    """A text in or out. Outgoing rows are the outbox: written before any send attempt."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    # empty only for keyword texts (STOP, HELP ...) that arrive with no conversation open
    conversation_id: Mapped[Optional[int]] = mapped_column(ForeignKey("conversations.id"), nullable=True,
                                                           index=True)
    direction: Mapped[Direction] = mapped_column(_enum(Direction, 8))
    author: Mapped[Author] = mapped_column(_enum(Author, 16))
    author_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"), nullable=True)
    body: Mapped[str] = mapped_column(Text)
    # Twilio's MessageSid of an inbound text: unique, so a retried delivery creates nothing twice
    twilio_sid: Mapped[Optional[str]] = mapped_column(String(64), unique=True, nullable=True)
    # the inbound text a bot reply answers, to answer a retried delivery with the same reply
    reply_to_id: Mapped[Optional[int]] = mapped_column(ForeignKey("messages.id"), nullable=True, index=True)
    # Twilio's sid of an outgoing text sent through the REST API
    provider_sid: Mapped[Optional[str]] = mapped_column(String(64), unique=True, nullable=True)
    status: Mapped[DeliveryStatus] = mapped_column(_enum(DeliveryStatus, 16))
    error_code: Mapped[Optional[str]] = mapped_column(String(16), nullable=True)
    error_reason: Mapped[Optional[str]] = mapped_column(String(255), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[MaybeTimestamp]
    segments: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[Timestamp]
    status_at: Mapped[MaybeTimestamp]
    # inbound: the text's language when not English, and whether it (alone or read with the
    # parent's texts just before it) made the conversation urgent
    language: Mapped[Optional[str]] = mapped_column(String(8), nullable=True)
    made_urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    # bot replies: the rules in force when the bot chose it, so a complaint or an incident can
    # be traced to them (keyword and reply catalogue files; risk model weights)
    catalogue_version: Mapped[Optional[str]] = mapped_column(String(64), nullable=True)
    model_version: Mapped[Optional[str]] = mapped_column(String(64), nullable=True)

    contact: Mapped[Contact] = relationship()
    conversation: Mapped[Optional[Conversation]] = relationship(back_populates="messages")
    reply_to: Mapped[Optional["Message"]] = relationship(remote_side="Message.id")


class Event(Base):
    """One step on a conversation's append-only log: who, what, when."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    kind: Mapped[EventKind] = mapped_column(_enum(EventKind))
    actor_kind: Mapped[str] = mapped_column(String(16))  # bot, parent, nurse, supervisor, system
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"), nullable=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[Timestamp]

    conversation: Mapped[Conversation] = relationship(back_populates="events")
    actor: Mapped[Optional[User]] = relationship(lazy="joined")


class AuditEvent(Base):
    """One entry of the audit log: who did what, when, from which address.

    Many entries belong to no conversation (a sign-in, a search), and those that do outlive it
    (the retention purge removes conversations, not the record that someone read them), so
    `conversation_id` is a plain number, not a foreign key.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[AuditKind] = mapped_column(_enum(AuditKind))
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"), nullable=True, index=True)
    # the email as typed for a failed sign-in; otherwise the actor's email when it happened
    email: Mapped[Optional[str]] = mapped_column(String(254), nullable=True)
    conversation_id: Mapped[Optional[int]] = mapped_column(Integer, nullable=True, index=True)
    address: Mapped[Optional[str]] = mapped_column(String(64), nullable=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[Timestamp] = mapped_column(index=True)

    actor: Mapped[Optional[User]] = relationship(lazy="joined")


class PurgePermit(Base):
    """Present only inside the retention purge's transaction: the one time a log row may be deleted.

    The database triggers on `events` and `audit_log` refuse every UPDATE, and every DELETE unless
    a permit row exists; the purge inserts one, deletes, and removes it before committing, so no
    other transaction ever sees it.
    """

    __tablename__ = "purge_permits"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[Timestamp]


class SchedulerLease(Base):
    """Who runs the scheduled jobs: the one holder whose lease has not expired (see `handoff.lease`)."""

    __tablename__ = "scheduler_lease"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    acquired_at: Mapped[Timestamp]
    renewed_at: Mapped[Timestamp]
    expires_at: Mapped[Timestamp]


class JobOutcome(StrEnum):
    RUNNING = "running"
    OK = "ok"
    FAILED = "failed"


class JobRun(Base):
    """One run of a scheduled job for one due time; the unique pair makes a second run impossible."""

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job_id", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[Timestamp]
    runner: Mapped[str] = mapped_column(String(128))
    started_at: Mapped[Timestamp]
    finished_at: Mapped[MaybeTimestamp]
    outcome: Mapped[JobOutcome] = mapped_column(_enum(JobOutcome, 16))
    # counts only ("sent": 2, "failed": 0), never text or numbers
    counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    error: Mapped[Optional[str]] = mapped_column(String(255), nullable=True)


class AppendOnlyError(RuntimeError):
    """A log entry was changed or deleted: the logs only grow."""


APPEND_ONLY = (Event, AuditEvent)


@event.listens_for(Session, "before_flush")
def _logs_are_append_only(session: Session, flush_context: Any, instances: Any) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, APPEND_ONLY) and (obj in session.deleted or session.is_modified(obj)):
            raise AppendOnlyError(f"{type(obj).__tablename__} {obj.id} is part of an append-only log")
