from __future__ import annotations

from pathlib import Path

from slotwise.app import create_app
from slotwise.config import Settings


def test_the_openapi_document_reads_like_cal_coms(tmp_path: Path) -> None:
    document = create_app(Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'docs.db'}")).openapi()

    operations = {
        (path, method): operation
        for path, item in document["paths"].items()
        if path in ("/v2/event-types", "/v2/event-types/{eventTypeId}")
        for method, operation in item.items()
    }
    ids = {key: operation["operationId"] for key, operation in operations.items()}
    assert ids == {
        ("/v2/event-types", "post"): "EventTypesController_2024_06_14_createEventType",
        ("/v2/event-types", "get"): "EventTypesController_2024_06_14_getEventTypes",
        ("/v2/event-types/{eventTypeId}", "get"): "EventTypesController_2024_06_14_getEventTypeById",
        ("/v2/event-types/{eventTypeId}", "patch"): "EventTypesController_2024_06_14_updateEventType",
        ("/v2/event-types/{eventTypeId}", "delete"): "EventTypesController_2024_06_14_deleteEventType",
    }
    assert all(operation["tags"] == ["Event Types"] for operation in operations.values())
    create = operations[("/v2/event-types", "post")]["requestBody"]["content"]["application/json"]["schema"]
    assert create["required"] == ["lengthInMinutes", "title", "slug"]
    assert {"bookingFields", "locations", "seats", "bookingWindow"} <= set(create["properties"])
    assert "$ref" not in str(create), "the request body is documented in full"
