"""``any_active_webhook`` (asked by the booking insert on the way) agrees with ``active_webhooks``
(the lookup it saves when nobody listens), for every scope of webhook."""

from __future__ import annotations

from sqlalchemy import literal, select

from slotwise.db import Database
from slotwise.event_types.models import EventType
from slotwise.webhooks.models import Webhook
from slotwise.webhooks.outbox import active_webhooks, any_active_webhook
from tests.conftest import MakeAccount


async def test_any_active_webhook_agrees_with_the_lookup(db: Database, make_account: MakeAccount) -> None:
    ada, bob = await make_account("ada"), await make_account("bob")
    async with db.session() as session:
        kinds = [
            EventType(owner_id=user.id, title="Chat", slug=f"t{n}", length=30, locations=[], booking_fields=[])
            for user in (ada.user, bob.user)
            for n in (1, 2)
        ]
        session.add_all(kinds)
        await session.commit()
        ada_1, ada_2, bob_1, _ = (kind.id for kind in kinds)

    async def agree() -> list[bool]:
        answers = []
        async with db.session() as session:
            for user_id in (ada.user.id, bob.user.id):
                for event_type_id in (ada_1, ada_2, bob_1, None):
                    found = await active_webhooks(session, user_id=user_id, event_type_id=event_type_id)
                    asked = any_active_webhook(literal(user_id), literal(event_type_id))
                    answer = bool(await session.scalar(select(asked)))
                    assert answer == bool(found), (user_id, event_type_id)
                    answers.append(answer)
        return answers

    assert not any(await agree())
    hooks = [
        Webhook(user_id=ada.user.id, event_type_id=ada_2, subscriber_url="http://127.0.0.1:9/a", triggers=[]),
        Webhook(user_id=bob.user.id, subscriber_url="http://127.0.0.1:9/b", triggers=[], active=False),
        Webhook(user_id=bob.user.id, subscriber_url="http://127.0.0.1:9/c", triggers=[]),
    ]
    for hook in hooks:  # one scope more at a time: an event type's, an inactive one, a user's
        async with db.session() as session:
            session.add(hook)
            await session.commit()
        assert any(await agree())
