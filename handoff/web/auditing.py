"""Audit from a staff request: the signed-in user, the client's address and the one clock."""
from __future__ import annotations

from typing import Any, Optional

from flask import g, request

from handoff import audit, clock, db
from handoff.models import AuditEvent, AuditKind, User


def audit_request(kind: AuditKind, *, user: Optional[User] = None, email: Optional[str] = None,
                  conversation_id: Optional[int] = None, **data: Any) -> AuditEvent:
    """Append an audit entry for this request (the caller commits with the action it records)."""
    # remote_addr is the client's own address once the trusted-proxy setting has been applied
    return audit.record(db.session(), kind, clock.now(), actor=user or g.get("user"), email=email,
                        conversation_id=conversation_id, address=request.remote_addr, **data)
