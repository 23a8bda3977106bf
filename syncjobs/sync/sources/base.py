"""What every source does: list entities and stream an entity as pages of Arrow records."""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from syncjobs.errors import ConnectorError
from syncjobs.sync.request import EntityInfo


@dataclass
class Page:
    """Records of one source page, and where reading resumes after it.

    `position` is small JSON (keyset values, page number, cursor, next URL); None with
    `resumable=False` means the source cannot resume inside this entity, so the executor
    must finish it in the current chunk.
    """

    batch: pa.RecordBatch
    position: dict[str, Any] | None
    resumable: bool = True


@dataclass
class ReadPlan:
    """How an entity is read: its key, its cursor, and whether pages come in cursor order."""

    entity: str
    primary_key: list[str] | None
    cursor_field: str | None
    cursor_ordered: bool
    incremental: bool = False


def _not_interrupted() -> bool:
    return False


class Source(ABC):
    kind = "source"
    driver_errors: tuple[type[BaseException], ...] = ()
    #: The execution this source reads for; lets a source reuse metadata across its chunks.
    scope: str | None = None
    #: Asked between requests by sources that gather several into one page: when it
    #: says True, the page so far is handed over at once (cancel within one request).
    interrupted: Callable[[], bool] = staticmethod(_not_interrupted)

    @abstractmethod
    def entities(self) -> list[EntityInfo]: ...

    def entity_names(self) -> list[str]:
        """Names only (sources where that is cheaper than `entities` override it)."""
        return [e.name for e in self.entities()]

    @abstractmethod
    def plan(self, entity: str, incremental: bool) -> ReadPlan:
        """Raise ConfigError for an unknown entity."""

    @abstractmethod
    def read(
        self, plan: ReadPlan, *, position: dict[str, Any] | None, lower_bound: Any,
        page_rows: int,
    ) -> Iterator[Page]:
        """Pages from `position` (None: the start), records with cursor >= `lower_bound`."""

    @abstractmethod
    def classify(self, exc: BaseException) -> ConnectorError:
        """The one place this source's driver errors become transient or terminal."""

    def check(self) -> dict[str, Any]:
        entities = self.entities()
        if entities:
            plan = self.plan(entities[0].name, incremental=False)
            for page in self.read(plan, position=None, lower_bound=None, page_rows=10):
                return {"ok": True, "entities": len(entities), "sample_rows": page.batch.num_rows}
        return {"ok": True, "entities": len(entities), "sample_rows": 0}

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""

    @contextlib.contextmanager
    def guard(self) -> Iterator[None]:
        try:
            yield
        except ConnectorError:
            raise
        except self.driver_errors as exc:
            raise self.classify(exc) from exc
