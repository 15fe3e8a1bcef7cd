"""Every feature's ORM models, imported once so ``Base.metadata`` is complete (Alembic, tests)."""

from slotwise.db import Base
from slotwise.users.models import ApiKey, User

__all__ = ["ApiKey", "Base", "User"]
