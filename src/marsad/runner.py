"""The runner: executes the registered stages in order over batches, and alone joins stages and store.

In: a store (:class:`marsad.store.base.Store`), the registered stages (:mod:`marsad.stages`) and an
engine: ``local`` (this process with ``workers=1``, else a process pool whose workers load the
stages' models once) or ``ray`` (Ray Data ``map_batches`` over an actor pool holding the loaded
models; ``address`` names a running cluster, else a local instance is started). Out: per-article
stages (clean, entities, attributions) run on batches of :class:`~marsad.model.AnalysedArticle` wherever the
engine puts them; every batch comes back to the driver in input order and is saved there in one
transaction, so ids, and therefore the export, do not depend on the engine or the number of
workers. Cross-article stages run on the driver afterwards. A :class:`RunReport` tells what
every stage did; it is also stored (``stage_runs``).

Cross-article stages: ``events`` is a :class:`~marsad.stages.CrossStage`, run by :func:`run_cross_stage`
(the store loads the state a batch of new articles needs, the stage returns updates, the store saves them
with the stage's progress in one transaction); ``link`` and ``claims`` are still transitional
:class:`~marsad.stages.StoreStage` (why, in that class's docstring): the runner hands them the store and
they call their store modules' methods themselves.
"""

from __future__ import annotations

import logging
import os
import pickle
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from .errors import MarsadError
from .link.encoder import one_blas_thread
from .model import AnalysedArticle
from .settings import SETTINGS
from .stages import AnyStage, Batch, CrossStage, Stage, per_article_stages, registered_stages, run_chain, stage_named

Progress = Callable[[str, int, int | None], None]
ENGINES = ("local", "ray")


@dataclass
class StageReport:
    name: str
    items: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)


@dataclass
class RunReport:
    stages: dict[str, StageReport] = field(default_factory=dict)

    def add(self, name: str, items: int, seconds: float, warnings: list[str] | None = None) -> None:
        rep = self.stages.setdefault(name, StageReport(name))
        rep.items += items
        rep.seconds += seconds
        rep.warnings += warnings or []


# -- engines: map a chain of per-article stages over batches, results in input order ----------------
_LOADED: dict[str, Stage] = {}


def _load_stages(names: tuple[str, ...]) -> list[Stage]:
    """The named per-article stages with their models loaded (once per process)."""
    if not _LOADED:   # first call in this process: numpy's BLAS keeps to one thread for its life
        one_blas_thread()
    out = []
    for name in names:
        if name not in _LOADED:
            stage = stage_named(name)
            if stage.load:
                stage.load()
            _LOADED[name] = stage
        out.append(_LOADED[name])
    return out


def _work(names: tuple[str, ...], batch: Batch) -> Batch:
    return run_chain(batch, _load_stages(names))


class LocalEngine:
    """This process (``workers=1``) or a pool of ``workers`` processes (fork: models load once per worker)."""

    def __init__(self, workers: int = 1):
        self.workers = max(1, workers)
        self._pool: ProcessPoolExecutor | None = None

    def map(self, names: tuple[str, ...], batches: list[Batch]) -> Iterator[Batch]:
        if self.workers == 1 or len(batches) <= 1:
            return (_work(names, b) for b in batches)
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.workers, initializer=_load_stages, initargs=(names,))
        return self._pool.map(_work, [names] * len(batches), batches)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None


class _RayChain:
    """A Ray Data actor: loads the stages once, then runs them over each block of pickled batches."""

    def __init__(self, names: tuple[str, ...]):
        self.names = names
        _load_stages(names)

    def __call__(self, block: dict) -> dict:
        out = [pickle.dumps(_work(self.names, pickle.loads(p))) for p in block["payload"]]
        return {"seq": block["seq"], "payload": out}


class RayEngine:
    """Ray Data ``map_batches`` with an actor pool of ``workers`` actors (each holds the loaded models)."""

    def __init__(self, workers: int = 2, address: str | None = None):
        try:
            import ray
        except ImportError as exc:
            raise MarsadError("--engine ray", "Ray is not installed (pip install 'marsad[ray]')") from exc
        self.ray = ray
        self.workers = max(1, workers)
        self._started = False
        if not ray.is_initialized():
            kwargs = {"address": address} if address else {"num_cpus": self.workers}
            ray.init(include_dashboard=False, log_to_driver=False, configure_logging=False, **kwargs)
            self._started = True

    def map(self, names: tuple[str, ...], batches: list[Batch]) -> Iterator[Batch]:
        import numpy as np
        import ray.data

        if not batches:
            return iter(())
        ctx = ray.data.DataContext.get_current()
        ctx.execution_options.preserve_order = True
        ctx.enable_progress_bars = False
        logging.getLogger("ray.data").setLevel(logging.WARNING)
        rows = [{"seq": i, "payload": pickle.dumps(b)} for i, b in enumerate(batches)]
        ds = ray.data.from_items(rows, override_num_blocks=min(len(rows), self.workers * 4))
        ds = ds.map_batches(_RayChain, fn_constructor_args=(names,), batch_size=1, batch_format="numpy",
                            compute=ray.data.ActorPoolStrategy(size=self.workers), num_cpus=1)
        return self._in_order(ds.iter_rows(), np)

    @staticmethod
    def _in_order(rows, np) -> Iterator[Batch]:
        """Batches in input order as they stream back (``preserve_order``), holding back any that arrive early."""
        waiting: dict[int, bytes] = {}
        want = 0
        for r in rows:
            waiting[int(r["seq"])] = r["payload"]
            while want in waiting:
                p = waiting.pop(want)
                yield pickle.loads(bytes(p) if isinstance(p, np.ndarray) else p)
                want += 1

    def close(self) -> None:
        if self._started:
            self.ray.shutdown()
            self._started = False


def make_engine(engine: str = "local", workers: int | None = None, address: str | None = None):
    workers = workers or SETTINGS.runner.workers or os.cpu_count() or 1
    if engine == "local":
        return LocalEngine(workers)
    if engine == "ray":
        return RayEngine(workers, address)
    raise MarsadError(f"--engine {engine}", f"unknown engine (choose from: {', '.join(ENGINES)})")


def _chunks(items: list, size: int) -> list[list]:
    return [items[k:k + size] for k in range(0, len(items), size)]


# -- phases ---------------------------------------------------------------------------------------
def run_documents(store, engine, report: RunReport, progress: Progress | None = None) -> int:
    """Pending documents through every per-article stage (clean first); saved batch by batch, in order.
    Returns the number of articles saved."""
    docs = list(store.pending_documents())
    total = len(docs)
    if not docs:
        return 0
    stages = per_article_stages()
    names = tuple(s.name for s in stages)
    batches = _chunks([AnalysedArticle(document=d, seq=i) for i, d in enumerate(docs)], SETTINGS.runner.batch_articles)
    del docs
    t0, done, articles = time.perf_counter(), 0, 0
    cpu = dict.fromkeys(names, 0.0)
    for batch in engine.map(names, batches):
        store.save_analysed(batch, names)
        done += len({id(it.document) for it in batch})
        articles += sum(it.article is not None for it in batch)
        for it in batch:
            for n, sec in it.extra.get("cpu_seconds", {}).items():
                cpu[n] = cpu.get(n, 0.0) + sec
        if progress:
            progress("clean", done, total)
    wall = time.perf_counter() - t0
    shares = sum(cpu.values()) or 1.0
    for n in names:   # the wall time of the batches, shared out by the stages' CPU time in the workers
        report.add(n, total if n == "clean" else articles, wall * cpu[n] / shares)
    return articles


def run_stored(store, names: Iterable[str], workers: int | None = None, engine: str | object = "local",
               address: str | None = None, progress: Progress | None = None,
               report: RunReport | None = None) -> dict[str, int]:
    """Run the named per-article stages on the stored articles they have not seen; returns counts per stage."""
    report = report if report is not None else RunReport()
    own = isinstance(engine, str)
    eng = make_engine(engine, workers, address) if own else engine
    counts: dict[str, int] = {}
    try:
        for name in names:
            ids = store.articles_to_run(name)
            counts[name] = len(ids)
            if not ids:
                continue
            t0, done = time.perf_counter(), 0
            size = SETTINGS.runner.batch_articles
            batches = [store.load_analysed(chunk) for chunk in _chunks(ids, size)]
            for batch in eng.map((name,), batches):
                store.save_analysed(batch, (name,))
                done += len(batch)
                if progress:
                    progress(name, done, len(ids))
            report.add(name, len(ids), time.perf_counter() - t0)
    finally:
        if own:
            eng.close()
    return counts


def run_cross_stage(store, stage: CrossStage, report: RunReport, progress: Progress | None = None) -> int:
    """One cross-article stage on the articles it has not seen, batch by batch: the store loads the state
    the batch needs, the stage returns updates, the store saves them with the stage's progress."""
    ids = store.articles_to_run(stage.name)
    t0, done = time.perf_counter(), 0
    size = getattr(getattr(SETTINGS, stage.name, None), "batch_articles", None) or SETTINGS.runner.batch_articles
    for chunk in _chunks(ids, size):
        items = store.load_analysed(chunk)
        updates = stage.run(items, store.load_state(stage.state, items))
        store.save_state(stage.state, stage.name, updates, items)
        done += len(chunk)
        if progress:
            progress(stage.name, done, len(ids))
    report.add(stage.name, len(ids), time.perf_counter() - t0)
    return len(ids)


def run_cross(store, report: RunReport, progress: Progress | None = None, names: Iterable[str] | None = None,
              stages: list[AnyStage] | None = None) -> None:
    """Cross-article stages on the driver, in registry order."""
    wanted = set(names) if names is not None else None
    for stage in stages or registered_stages():
        if isinstance(stage, Stage) or (wanted is not None and stage.name not in wanted):
            continue
        if isinstance(stage, CrossStage):
            run_cross_stage(store, stage, report, progress)
            continue
        t0 = time.perf_counter()
        before = store.counts()
        stage.run(store, progress)
        after = store.counts()
        changed = {k: after[k] - before[k] for k in after if after[k] != before[k]}
        report.add(stage.name, sum(max(0, v) for v in changed.values()), time.perf_counter() - t0,
                   stage.warnings() if stage.warnings else None)


def run_pipeline(store, engine: str = "local", workers: int | None = None, address: str | None = None,
                 progress: Progress | None = None, cross: bool = True) -> RunReport:
    """Every registered stage over what is new in the store: stored articles a per-article stage has not
    seen, then pending documents, then the cross-article stages. Records what each stage did."""
    report = RunReport()
    if workers is None and engine == "local" and store.count_pending() < SETTINGS.runner.parallel_min_documents:
        workers = 1   # a pool costs more than it saves on a handful of documents
    eng = make_engine(engine, workers, address)
    with one_blas_thread():   # parallel work is one process per core; BLAS threads would only spin
        try:
            later = [s.name for s in per_article_stages() if s.name != "clean"]
            run_stored(store, later, engine=eng, progress=progress, report=report)
            run_documents(store, eng, report, progress)
        finally:
            eng.close()
        if cross:
            run_cross(store, report, progress)
    _record(store, report)
    return report


def _record(store, report: RunReport) -> None:
    """Store what each stage of a run did (``stage_runs``)."""
    for rep in report.stages.values():
        store.record_stage_run(rep.name, rep.items, rep.seconds, rep.warnings)


def rerun(store, name: str, progress: Progress | None = None, then_cross: bool = False) -> RunReport:
    """Re-run one stage on the stored inputs (``marsad run STAGE``): a per-article stage on every stored
    article (with ``then_cross``, the cross-article stages then take what that made due for them); a
    cross-article stage on what is due for it. What each stage did is stored with the runs."""
    stage: AnyStage = stage_named(name)
    report = RunReport()
    if isinstance(stage, Stage):
        store.forget_stage(name)
        run_stored(store, [name], progress=progress, report=report)
        if then_cross:
            run_cross(store, report, progress)
    else:
        run_cross(store, report, progress, names=[name])
    _record(store, report)
    return report
