"""The store interface: what the runner, the CLI, the report, the web app and the exports need.

In: nothing. Out: :class:`Store`, a :class:`typing.Protocol` that :class:`marsad.store.db.SQLiteStore`
implements (the datasette / sqlite-utils pattern: one object, plain records in and out). A
PostgreSQL implementation implements the same methods; no stage changes, because stages never
see a store: the runner loads batches of :class:`~marsad.model.AnalysedArticle` through
:meth:`Store.load_analysed` and saves what a stage assigned through :meth:`Store.save_analysed`,
one transaction per batch. Packages keep their own SQL in their own store module
(``store/<topic>.py``), reached through methods of the store.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any, Iterable, Iterator, Protocol, runtime_checkable

from ..model import AnalysedArticle, Article, Document, Entity, Mention


@runtime_checkable
class Store(Protocol):
    path: str

    # -- transactions and life cycle ----------------------------------------------------------
    def transaction(self) -> AbstractContextManager[Any]:
        """One write transaction; nested uses join the outermost one, which alone commits."""

    def close(self) -> None: ...

    # -- ingest -------------------------------------------------------------------------------
    def input_finished(self, sha256: str) -> bool: ...
    def finish_input(self, sha256: str, source: str, kind: str, n_documents: int) -> None: ...
    def add_document(self, doc: Document) -> bool: ...
    def add_reject(self, source: str, reason: str, sha256: str | None = None) -> None: ...
    def add_warning(self, source: str, message: str, sha256: str | None = None) -> None: ...
    def ingest_warnings(self) -> list[Any]: ...
    def pending_documents(self) -> Iterator[Document]: ...
    def count_pending(self) -> int: ...

    # -- the runner: batches of analysed articles ---------------------------------------------
    def articles_to_run(self, stage: str) -> list[int]:
        """Ids of stored articles the per-article ``stage`` has not run on, in id order."""

    def forget_stage(self, stage: str) -> None:
        """Make every stored article due again for ``stage``."""

    def mark_done(self, stage: str, last_article_id: int) -> None:
        """``stage`` has run on every article up to ``last_article_id``."""

    def load_state(self, name: str, items: list[AnalysedArticle]) -> Any:
        """The state a :class:`~marsad.stages.CrossStage` needs for these new articles (an LSH index's
        candidates, story profiles, open claim groups ...), read by the store module ``name``."""

    def save_state(self, name: str, stage: str, updates: Any, items: list[AnalysedArticle]) -> None:
        """A cross-article stage's updates and its progress over ``items``, in one transaction."""

    def load_analysed(self, article_ids: list[int]) -> list[AnalysedArticle]:
        """Articles with their sentences, mentions and linked entities, in the order asked."""

    def save_analysed(self, items: list[AnalysedArticle], stages: Iterable[str]) -> None:
        """Save what ``stages`` assigned to ``items`` (new articles, rejects, mentions ...) in one transaction."""

    def record_stage_run(self, stage: str, items: int, seconds: float, warnings: list[str]) -> None: ...
    def stage_runs(self) -> list[dict]: ...

    # -- reads --------------------------------------------------------------------------------
    def article(self, article_id: int) -> Article | None: ...
    def articles(self) -> Iterator[Article]: ...
    def sentences(self, article_id: int) -> list[tuple[int, int]]: ...
    def search(self, query: str, limit: int = 20) -> list[tuple[Article, str]]: ...
    def entities(self, type: str | None = None) -> list[tuple[Entity, int]]: ...
    def entity(self, entity_id: str) -> Entity | None: ...
    def mentions(self, article_id: int | None = None, entity_id: str | None = None) -> list[Mention]: ...
    def rejects(self) -> list[Any]: ...
    def stats(self) -> dict[str, int]: ...
    def counts(self) -> dict[str, int]:
        """Rows per table of every stage (stories, entities, claim groups, events, ...)."""

    # -- a stage's own tables (store/<topic>.py), for the stages still run as StoreStage -------------
    @property
    def link_tables(self) -> Any:
        """The link stage's near duplicates, copied passages and LSH state (:mod:`marsad.store.link`): each
        function of that module, called without its connection argument."""

    @property
    def story_tables(self) -> Any:
        """The link stage's developments and storylines (:mod:`marsad.store.stories`), likewise."""
