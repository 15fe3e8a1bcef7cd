"""Working hours for a test user, straight into the database."""

from __future__ import annotations

from slotwise.db import Database
from slotwise.schedules.models import Schedule
from slotwise.users.models import User


async def give_schedule(db: Database, user_id: int, time_zone: str, hours: tuple[str, str] = ("09:00", "17:00")) -> int:
    """Mon-Fri ``hours`` in ``time_zone`` as the user's default schedule; its id."""
    async with db.session() as session:
        schedule = Schedule(
            user_id=user_id,
            name="Working hours",
            time_zone=time_zone,
            availability=[{"days": [1, 2, 3, 4, 5], "startTime": hours[0], "endTime": hours[1]}],
            overrides=[],
        )
        session.add(schedule)
        await session.flush()
        user = await session.get(User, user_id)
        assert user is not None
        user.default_schedule_id = schedule.id
        await session.commit()
        return schedule.id
