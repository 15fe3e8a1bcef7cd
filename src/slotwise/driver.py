"""Hot-path statements run on the asyncpg connection of a session's transaction.

SQLAlchemy builds and compiles these statements once; executing one through SQLAlchemy still costs
about 0.15 ms of CPU (a greenlet switch, an execution context, cursor and result adaptation), twice what
asyncpg itself takes, and a booking runs several. :class:`DriverStatement` binds the parameters with the
statement's own type processors, runs the compiled SQL on the asyncpg connection underneath the session
and processes the result columns the same way, raising SQLAlchemy's exceptions for database errors.

It takes that path only where it is exactly equivalent: on PostgreSQL through asyncpg, inside a
transaction SQLAlchemy has already begun (so that the statement belongs to it and is committed or
rolled back with it). Anywhere else the statement runs through SQLAlchemy as usual.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import Dialect
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

Processor = Callable[[Any], Any] | None
_ERRORS_BY_SQLSTATE_CLASS: dict[str, type[DBAPIError]] = {"22": DataError, "23": IntegrityError}


@dataclass(frozen=True)
class _Parameter:
    name: str
    process: Processor
    default: Any  # the value SQLAlchemy built into the statement (e.g. date_part's 'epoch'), if any

    def bind(self, params: Mapping[str, Any]) -> Any:
        value = params.get(self.name, self.default)
        return value if self.process is None else self.process(value)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    parameters: tuple[_Parameter, ...]  # in $1, $2, ... order
    results: tuple[Processor, ...] | None  # per result column; None when no column needs processing


def _compile(statement: Any, dialect: Dialect) -> _Compiled | None:
    """None when the SQL is only complete at execution (an expanding ``IN``): SQLAlchemy runs those."""
    compiled = statement.compile(dialect=dialect)
    if compiled.post_compile_params:
        return None
    binds = compiled.binds
    parameters = tuple(
        _Parameter(name, binds[name].type._cached_bind_processor(dialect), binds[name].effective_value)
        for name in compiled.positiontup or ()
    )
    results = tuple(column.type._cached_result_processor(dialect, None) for column in statement.exported_columns)
    return _Compiled(compiled.string, parameters, results if any(results) else None)


class DriverStatement:
    """A Core ``SELECT`` or ``INSERT ... RETURNING`` without expanding (``IN``) parameters."""

    def __init__(self, statement: Any) -> None:
        self.statement = statement
        self._compiled: _Compiled | None = None
        self._runs_on_driver = True  # until compiling shows that it cannot

    async def fetch(self, session: AsyncSession, params: Mapping[str, Any]) -> Sequence[tuple[Any, ...]]:
        """The statement's rows, as tuples (or SQLAlchemy rows)."""
        connection = await session.connection()
        raw = await connection.get_raw_connection()
        driver = raw.driver_connection
        if self._runs_on_driver and self._compiled is None and isinstance(driver, asyncpg.Connection):
            self._compiled = _compile(self.statement, connection.dialect)
            self._runs_on_driver = self._compiled is not None
        compiled = self._compiled
        if compiled is None or not isinstance(driver, asyncpg.Connection) or not driver.is_in_transaction():
            return (await connection.execute(self.statement, dict(params))).all()
        args = [parameter.bind(params) for parameter in compiled.parameters]
        try:
            records = await driver.fetch(compiled.sql, *args)
        except asyncpg.PostgresError as error:  # as SQLAlchemy raises it (the error handlers read .orig)
            kind = _ERRORS_BY_SQLSTATE_CLASS.get(str(error.sqlstate)[:2], DBAPIError)
            raise kind(compiled.sql, args, error) from None
        except (asyncpg.InterfaceError, OSError) as error:  # the connection is gone: keep it out of the pool
            raw.invalidate(error)
            raise OperationalError(compiled.sql, args, error, connection_invalidated=True) from None
        if compiled.results is None:
            return [tuple(record) for record in records]
        processors = compiled.results
        return [
            tuple(
                value if process is None else process(value) for value, process in zip(record, processors, strict=True)
            )
            for record in records
        ]
