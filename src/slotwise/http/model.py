"""The base of the API's request and response models."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ApiModel(BaseModel):
    """A model whose validator and serialiser are built on first use instead of on import.

    Most of the 150 models serve one route, one API version or only the OpenAPI document; building them
    all on import was a fifth of the server's cold start. The first request that needs one builds it
    (about a millisecond).

    A model that FastAPI reads as a route's body is declared with ``defer_build=False``: FastAPI wraps it
    in a field that is otherwise built on the first request, where pydantic warns about the alias FastAPI
    gives the field (FastAPI silences that warning only while it builds the field itself).

    Model modules have no ``from __future__ import annotations``: pydantic would evaluate each field's
    string annotation when the class is created.
    """

    model_config = ConfigDict(defer_build=True)
