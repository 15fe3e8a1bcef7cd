"""The API's route class."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.datastructures import Default, DefaultPlaceholder
from fastapi.dependencies.utils import get_typed_return_annotation
from fastapi.routing import APIRoute
from fastapi.utils import create_model_field
from starlette.requests import Request
from starlette.responses import Response

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class LazyResponseRoute(APIRoute):
    """An APIRoute that builds its response model's validator and serialiser on first use.

    The model is the route's ``response_model`` or, as FastAPI does, its endpoint's return annotation.
    FastAPI builds them when a route is declared, which for our 54 routes and their models was a large part
    of the cold start. A route whose endpoint answers with a ready ``Response`` (slots, bookings) never
    needs them outside the OpenAPI document; the others build them on their first request.
    """

    def __init__(self, path: str, endpoint: Callable[..., Any], *, response_model: Any = Default(None), **kwargs: Any):
        returns = get_typed_return_annotation(endpoint)
        self.answers_with_response = isinstance(returns, type) and issubclass(returns, Response)
        streams = inspect.isasyncgenfunction(endpoint) or inspect.isgeneratorfunction(endpoint)
        declared = response_model
        if isinstance(response_model, DefaultPlaceholder):  # FastAPI reads the model from the return annotation
            declared = None if streams or self.answers_with_response else returns
        self.declared_response_model = declared
        # a streaming endpoint's item type is FastAPI's business: it reads it from the annotation
        super().__init__(path, endpoint, response_model=response_model if streams else None, **kwargs)
        if declared is not None:
            self.response_model = declared

    def build_response_field(self) -> None:
        """Give the route the response field FastAPI would have built (the OpenAPI document reads it)."""
        if self.response_field is None and self.declared_response_model is not None:
            self.response_field = create_model_field(
                name="Response_" + self.unique_id, type_=self.declared_response_model, mode="serialization"
            )

    def get_route_handler(self) -> Handler:
        if self.declared_response_model is None or self.answers_with_response:
            return super().get_route_handler()
        handler: Handler | None = None

        async def handle(request: Request) -> Response:
            nonlocal handler
            if handler is None:
                self.build_response_field()
                handler = super(LazyResponseRoute, self).get_route_handler()
            return await handler(request)

        return handle
