"""Command-line interface: a thin layer over the library.

In: the user's command line. Out: work done in the store (``marsad.db`` by default), a report,
exports on standard output or a file. User errors print one line, ``marsad: INPUT: reason``, and
exit with a documented status (:data:`EXIT_CODES`); never a traceback.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from . import __version__
from .errors import MarsadError

EXIT_CODES = ("Exit status: 0 done (bad inputs are listed as rejected, the run goes on); "
              "1 a user error (bad option, a file that is not a marsad store, a failed export); "
              "2 nothing to work on (no named path exists, or the store named by --db does not exist "
              "for a command that reads it; no file is created); 130 interrupted (committed work is kept).")
app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="marsad: turn scraped Arabic news into clean, source-aware data.", epilog=EXIT_CODES)
err = Console(stderr=True)
out = Console()

DB_OPTION = typer.Option("marsad.db", "--db", help="SQLite store (created by analyze / ingest; other commands refuse a store that does not exist, exit 2).")


@app.callback()
def main(config: Optional[Path] = typer.Option(None, "--config", help="Settings file overriding the defaults "
                                              "(settings.cfg: [section] name = value lines); also $MARSAD_SETTINGS.")):
    """marsad: turn scraped Arabic news into clean, source-aware data."""
    if config is not None:
        from .settings import apply_settings

        if not config.is_file():
            fail(str(config), "no such settings file", 2)
        import configparser

        try:
            apply_settings(config)
        except (ValueError, OSError, UnicodeDecodeError, configparser.Error) as exc:
            fail(str(config), " ".join(str(exc).split()))


def fail(source: str, reason: str, code: int = 1) -> None:
    err.print(f"[bold red]marsad:[/] {escape(str(source))}: {escape(str(reason))}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


STORE_SUFFIXES = (".db", ".sqlite", ".sqlite3")


@contextmanager
def user_errors():
    try:
        yield
    except MarsadError as exc:
        fail(exc.source, exc.reason)
    except KeyboardInterrupt:
        err.print("[yellow]marsad: interrupted; every committed document is kept; run the same command again to resume[/]")
        raise typer.Exit(130)


def _store(db: str, create: bool = False):
    """Open the store; only commands that write inputs (analyze, ingest) may create it."""
    from .store import Store

    if not create and not Path(db).is_file():
        fail(db, "no such database (nothing was created); run `marsad analyze PATH --db " + db + "` first", 2)
    if create and not os.path.lexists(db) and Path(db).suffix.lower() not in STORE_SUFFIXES:
        fail(db, f"a new store is only created at a name ending {', '.join(STORE_SUFFIXES)} "
                 "(a typo such as marsad.bd or report.html would otherwise become a database); nothing was created", 2)
    return Store(db)


def _check_paths(paths: list[str]) -> None:
    """Exit 2 when none of the named local paths exists (a typo); some missing ones are reported by the run."""
    import glob

    local = [p for p in paths if "://" not in p]
    missing = [p for p in local
               if not os.path.lexists(p) and not (any(ch in p for ch in "*?[") and glob.glob(p, recursive=True))]
    if missing and len(missing) == len(paths):
        fail(", ".join(missing), "no such file or directory (nothing was read)", 2)


@contextmanager
def _progress():
    """A rich progress callback for pipeline stages (quiet when not on a terminal)."""
    bars = Progress(TextColumn("{task.description:>8}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err, transient=False, disable=not err.is_terminal)
    tasks: dict[str, int] = {}

    def update(stage: str, done: int, total: int | None) -> None:
        if stage not in tasks:
            tasks[stage] = bars.add_task(stage, total=total)
        bars.update(tasks[stage], completed=done, total=total)

    with bars:
        yield update


def _print_summary(run, store) -> None:
    s, c = store.stats(), store.counts()
    err.print(f"[green]✓[/] {run.articles} new articles from {run.documents_processed} documents "
              f"({run.documents_new} new, {run.documents_known} already stored, {run.inputs_unchanged} unchanged inputs skipped); "
              f"{run.split_documents} split, {len(run.rejects)} rejected.", highlight=False)
    err.print(f"  store: {s['articles']} articles, {s['duplicates']} duplicates, {c['stories']} stories, "
              f"{c['entities']} entities, {c['claim_groups']} claim groups, {c['events']} events", highlight=False)
    if run.stages is not None:
        _print_stages(run.stages)
    _print_problems(run)


def _print_stages(report) -> None:
    """What each stage of a run did (items, seconds) and its warnings (a fallback encoder ...)."""
    err.print("  stages: " + ", ".join(f"{r.name} {r.items} in {r.seconds:.1f} s" for r in report.stages.values()),
              highlight=False)
    for r in report.stages.values():
        for w in r.warnings:
            err.print(f"  [yellow]{r.name}: {escape(w)}[/]", highlight=False)


def _print_problems(run) -> None:
    """Missing inputs, rejects and decoding warnings of a run, 20 of each at most."""
    if run.missing:
        err.print(f"  [yellow]warning:[/] {len(run.missing)} named path(s) do not exist: {', '.join(run.missing[:5])}",
                  highlight=False, soft_wrap=True)
    for source, reason in run.rejects[:20]:
        err.print(f"  [yellow]rejected[/] {source}: {reason}", highlight=False, soft_wrap=True)
    if len(run.rejects) > 20:
        err.print(f"  … and {len(run.rejects) - 20} more (see the report)")
    for source, message in run.warnings[:20]:
        err.print(f"  [yellow]stored with a warning[/] {source}: {message}", highlight=False, soft_wrap=True)
    if len(run.warnings) > 20:
        err.print(f"  … and {len(run.warnings) - 20} more warnings")


@app.command()
def analyze(paths: list[str] = typer.Argument(..., help="Files, directories, globs or http(s) URLs."),
            db: str = DB_OPTION,
            report: Path = typer.Option(Path("report.html"), "--report", help="HTML report to write."),
            workers: Optional[int] = typer.Option(None, "--workers", help="Worker processes (or Ray actors) for the per-article stages (default: all cores)."),
            engine: str = typer.Option("local", "--engine", help="local (a process pool) or ray (pip install 'marsad[ray]')."),
            address: Optional[str] = typer.Option(None, "--address", help="Ray cluster address (default: start a local instance).")):
    """Ingest, clean and store articles, then write the HTML report (the main job)."""
    from .pipeline import analyze as run_analyze
    from .report import write_report

    with user_errors():
        _check_paths(paths)
        store = _store(db, create=True)
        with _progress() as progress:
            run = run_analyze(store, paths, progress, workers=workers, engine=engine, address=address,
                              exclude=[str(report)])   # the store's own files are never read either
        _print_summary(run, store)
        write_report(store, report, run)
        err.print(f"[green]✓[/] report: {report}   store: {db}")


@app.command()
def ingest(paths: list[str] = typer.Argument(..., help="Files, directories, globs or http(s) URLs."), db: str = DB_OPTION):
    """Read inputs into the store as documents (not yet cleaned; see `marsad process`)."""
    from .pipeline import ingest as run_ingest

    with user_errors():
        _check_paths(paths)
        store = _store(db, create=True)
        with _progress() as progress:
            run = run_ingest(store, paths, progress)
        err.print(f"[green]✓[/] {run.documents_new} new documents, {run.documents_known} already stored, "
                  f"{run.inputs_unchanged} unchanged inputs skipped, {len(run.rejects)} rejected, "
                  f"{len(run.warnings)} stored with warnings, {len(run.missing)} missing.")
        _print_problems(run)


@app.command()
def process(db: str = DB_OPTION, workers: Optional[int] = typer.Option(None, "--workers")):
    """Clean every stored document not yet processed into articles."""
    from .pipeline import process as run_process
    from .pipeline import run_later_stages

    with user_errors():
        store = _store(db)
        with _progress() as progress:
            run = run_process(store, progress, workers=workers)
            run_later_stages(store, progress)
        _print_summary(run, store)


@app.command("run")
def run_stage(stage: str = typer.Argument(..., help="A stage name: clean is not re-run (it reads the inputs); "
                                          "entities, attributions, link, claims or events."),
              db: str = DB_OPTION):
    """Re-run one stage on the stored inputs (after changing its settings with --config): a per-article stage
    (entities, attributions) on every stored article, then the cross-article stages on what that made due;
    a cross-article stage (link, claims, events) on what is due for it. Prints what each stage did."""
    from .runner import rerun
    from .stages import registered_stages

    names = [s.name for s in registered_stages() if s.name != "clean"]
    if stage not in names:
        fail(stage, f"not a stage that can be re-run; one of: {', '.join(names)}")
    with user_errors():
        store = _store(db)
        with _progress() as progress:
            report = rerun(store, stage, progress, then_cross=True)
        _print_stages(report)
        err.print(f"[green]✓[/] {stage} re-run; write the report again with `marsad report --db {db}`")


@app.command("report")
def report_cmd(db: str = DB_OPTION, output: Path = typer.Option(Path("report.html"), "-o", "--output")):
    """Write the HTML report from the store."""
    from .report import write_report

    with user_errors():
        write_report(_store(db), output)
        err.print(f"[green]✓[/] report: {output}")


@app.command()
def show(item: str = typer.Argument(..., help="An article id (12), a story (story:3) or an entity id."), db: str = DB_OPTION):
    """Show one article (text, metadata, removed furniture), one story or one entity."""
    with user_errors():
        store = _store(db)
        if item.startswith("story:"):
            if not item[6:].isdigit():
                fail(item, "a story id is story:NUMBER")
            _show_story(store, int(item[6:]), db)
            return
        if item.isdigit():
            a = store.article(int(item))
            if a is None:
                fail(item, f"no article with this id in {db}")
            out.print(f"[bold]{a.title or '(no title)'}[/]" + (" [dim](title from first sentence)[/]" if a.title_derived else ""))
            meta = [("id", a.id), ("outlet", a.outlet), ("published", a.published), ("byline", a.byline),
                    ("cited source", a.cited_source), ("language", a.language), ("source", a.source),
                    ("duplicate of", a.duplicate_of), ("story", a.story_id)]
            for k, v in meta:
                if v is not None:
                    out.print(f"[dim]{k:>13}:[/] {v}", highlight=False)
            out.print()
            out.print(a.text, highlight=False)
            if a.removed:
                out.print(f"\n[dim]removed ({len(a.removed)}):[/]")
                for r in a.removed:
                    out.print(f"  [dim]- {r}[/]", highlight=False)
            return
        e = store.entity(item)
        if e is None:
            fail(item, f"no article or entity with this id in {db}")
        out.print(f"[bold]{e.name_ar}[/] — {e.name_en or ''} ({e.type})")
        for k in ("id", "country", "admin1", "lat", "lon", "geo_precision"):
            v = getattr(e, k)
            if v is not None:
                out.print(f"[dim]{k:>13}:[/] {v}", highlight=False)
        if e.aliases:
            out.print(f"[dim]      aliases:[/] {'، '.join(e.aliases)}", highlight=False)
        ms = store.mentions(entity_id=e.id)
        out.print(f"[dim]     mentions:[/] {len(ms)} in {len({m.article_id for m in ms})} articles")
        for m in ms[:20]:
            out.print(f"  #{m.article_id} [{m.start}:{m.end}] {m.text}", highlight=False)


@app.command()
def stories(db: str = DB_OPTION, limit: int = typer.Option(50, "--limit", min=1, help="storylines shown")):
    """Storylines, largest first, each with its developments (stories) in time order: articles, outlets, dates, title."""
    from .link import stories as read_stories, storylines as read_storylines

    with user_errors():
        store = _store(db)
        devs = {s["id"]: s for s in read_stories(store)}
        lines = read_storylines(store)
        t = Table()
        widths = (("id", 14), ("articles", 8), ("outlets", 7), ("start", 10), ("end", 10))
        for col, width in widths:
            t.add_column(col, no_wrap=True, min_width=width)
        # the title takes what the fixed columns leave (cell padding and borders: 3 per column, 1 more),
        # so a narrow terminal cuts titles instead of squeezing the counts out of sight
        room = out.width - sum(w + 3 for _, w in widths) - 4
        t.add_column("title", no_wrap=True, overflow="ellipsis", width=max(12, min(72, room)))
        for line in lines[:limit]:
            outlets = {o for sid in line["story_ids"] for o in (devs.get(sid) or {}).get("outlets") or []}
            t.add_row(f"[bold]storyline:{line['id']}[/]", str(line["n_articles"]), str(len(outlets)), line["start"] or "?",
                      line["end"] or "?", f"[bold]{line['title'] or ''}[/] ({len(line['story_ids'])} developments)")
            for sid in line["story_ids"]:
                s = devs.get(sid)
                if s:
                    t.add_row(f"  story:{s['id']}", str(len(s["article_ids"])), str(len(s.get("outlets") or [])),
                              s["start"] or "?", s["end"] or "?", "  " + (s["title"] or ""))
        out.print(t)
        if len(lines) > limit:
            out.print(f"[dim]{len(lines) - limit} more storylines (--limit)[/]")


def _show_story(store, story_id: int, db: str) -> None:
    from .events import events as read_events
    from .link import story as read_story

    s = read_story(store, story_id)
    if s is None:
        fail(f"story:{story_id}", f"no story with this id in {db}")
    out.print(f"[bold]{s['title']}[/]  [dim]story:{s['id']} · {len(s['article_ids'])} articles · "
              f"{s['start'] or '?'} → {s['end'] or '?'} · storyline:{s.get('storyline_id')}[/]", highlight=False)
    if s.get("outlets"):
        out.print(f"[dim]outlets:[/] {'، '.join(s['outlets'])}", highlight=False)
    out.print("\n[dim]summary:[/]")
    for sent in s["summary"]:
        out.print(f"  • {sent}", highlight=False)
    out.print("\n[dim]articles:[/]")
    for aid in s["article_ids"]:
        a = store.article(aid)
        why = next((x.get("why") for x in s.get("articles", []) if x["id"] == aid), None)
        out.print(f"  #{aid} {a.published or '?'} {a.outlet or '?'} — {a.title}", highlight=False)
        if why:
            sig = why["signals"]
            shared = "، ".join(sig.get("entities") or [])
            out.print(f"    [dim]joined with #{why['article_id']}: score {why['score']:.2f} (lead text "
                      f"{sig.get('lead_text', 0):.2f}, encoder {sig.get('encoder', 0):.2f}, entities "
                      f"{sig.get('shared_entities', 0):.2f}{': ' + shared if shared else ''})[/]", highlight=False)
    evs = [e for e in read_events(store) if e.get("story_id") == story_id]
    if evs:
        out.print(f"\n[dim]events ({len(evs)}):[/]")
        for e in evs:
            out.print(f"  {e['date'] or '?'} {e['sub_event_type']} — {e.get('location_name') or '?'} "
                      f"({len(e['article_ids'])} articles, {e['independent_origins']} independent)", highlight=False)


@app.command()
def entities(type: Optional[str] = typer.Option(None, "--type", help="PER | ORG | GPE | LOC | FAC | NORP"),
             db: str = DB_OPTION, limit: int = typer.Option(50, "--limit", min=1)):
    """List linked entities, most mentioned first, with English names and places' coordinates."""
    types = ("PER", "ORG", "GPE", "LOC", "FAC", "NORP")
    with user_errors():
        if type is not None and type.upper() not in types:
            fail(f"--type {type}", f"unknown entity type (choose from: {', '.join(types)})")
        rows = _store(db).entities(type.upper() if type else None)[:limit]
        t = Table()
        for col in ("id", "type", "name_ar", "name_en", "mentions", "lat,lon", "precision"):
            t.add_column(col)
        for e, n in rows:
            where = f"{e.lat:.3f},{e.lon:.3f}" if e.lat is not None and e.lon is not None else ""
            t.add_row(e.id, e.type, e.name_ar, e.name_en or "", str(n), where, str(e.geo_precision or ""))
        out.print(t)


@app.command()
def search(query: str = typer.Argument(..., help="Words to find (Arabic spelling variants match)."),
           db: str = DB_OPTION, limit: int = typer.Option(20, "--limit", min=1, max=1000)):
    """Full-text search over articles, on normalised keys (أ/ا/إ, ة/ه, ى/ي, diacritics all match)."""
    with user_errors():
        hits = _store(db).search(query, limit)
        if not hits:
            err.print(f"no article matches {query!r}")
            raise typer.Exit(1)
        for a, snippet in hits:
            out.print(f"[bold]#{a.id}[/] {a.title or ''} [dim]({a.outlet or '?'}, {a.published or '?'})[/]", highlight=False)
            out.print(f"    {snippet}", highlight=False)


def _write_atomically(output: Path, write) -> None:
    """Write through ``OUTPUT.tmp`` renamed into place; on any failure the temporary file is removed."""
    tmp = output.with_name(output.name + ".tmp")
    try:
        with tmp.open("w", encoding="utf-8", newline="") as fh:
            write(fh)
        tmp.replace(output)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@app.command()
def export(fmt: str = typer.Option("json", "--format", "-f", help="json | jsonl | csv | geojson"),
           db: str = DB_OPTION,
           output: Optional[Path] = typer.Option(None, "-o", "--output", help="File to write (default: standard output)."),
           table: str = typer.Option("articles", "--table", help="For csv: articles | entities | events (ACLED columns) | rejects.")):
    """Export the store (the marsad/1 schema) as JSON, JSON Lines or CSV."""
    from . import export as ex

    writers = {"json": ex.write_json, "jsonl": ex.write_jsonl, "csv": lambda s, f: ex.write_csv(s, f, table),
               "geojson": ex.write_geojson}
    with user_errors():
        if fmt not in writers:
            fail(f"--format {fmt}", f"unknown format (choose from: {', '.join(writers)})")
        if fmt == "csv" and table not in ex.CSV_TABLES:
            fail(f"--table {table}", f"unknown table (choose from: {', '.join(ex.CSV_TABLES)})")
        store = _store(db)
        if output is None:
            writers[fmt](store, sys.stdout)
        else:
            _write_atomically(output, lambda fh: writers[fmt](store, fh))
            err.print(f"[green]✓[/] wrote {output}")


@app.command()
def stance(file: str = typer.Argument(..., help="CSV with columns s1,s2 (other columns kept), or - for standard input."),
           output: Optional[Path] = typer.Option(None, "-o", "--output", help="File to write (default: standard output).")):
    """Predict the stance of s2 towards s1 (agree / disagree / other) for each row of a CSV."""
    from .claims.stance import stance_csv

    with user_errors():
        if file != "-" and not Path(file).is_file():
            fail(file, "no such file")
        fin = sys.stdin if file == "-" else open(file, encoding="utf-8-sig", newline="")
        try:
            if output is None:
                stance_csv(fin, sys.stdout)
            else:
                _write_atomically(output, lambda fout: stance_csv(fin, fout))
                err.print(f"[green]✓[/] wrote {output}")
        except ValueError as exc:
            fail(file, str(exc))
        except UnicodeDecodeError:
            fail(file, "not UTF-8 text")
        finally:
            if fin is not sys.stdin:
                fin.close()


@app.command()
def serve(db: str = DB_OPTION, host: str = typer.Option("127.0.0.1", "--host"), port: int = typer.Option(8000, "--port", min=1, max=65535),
          token: Optional[str] = typer.Option(None, "--token", envvar="MARSAD_TOKEN",
                                              help="Bearer token required for write endpoints (ingest)."),
          workers: Optional[int] = typer.Option(None, "--workers", min=1, max=64,
                                                help="Server processes (default: [web] workers in settings.cfg)."),
          allow_private_urls: bool = typer.Option(False, "--allow-private-urls",
                                                  help="Let URL ingest reach loopback, private and link-local hosts.")):
    """Serve the web app and JSON API on the store (offline; open http://HOST:PORT/)."""
    from .web import serve as run_server

    with user_errors():
        _store(db).close()  # refuses a file that is not a marsad database, migrates an old one
        err.print(f"[green]✓[/] serving {db} on http://{host}:{port}/")
        run_server(db, host=host, port=port, token=token, workers=workers, allow_private_urls=allow_private_urls)


@app.command()
def tag(file: str = typer.Argument(..., help="CoNLL-style tokens (first column), or - for standard input.")):
    """Tag tokens with BIO entity labels (PER / ORG / LOC), one `TOKEN TAG` per line."""
    with user_errors():
        try:
            from .entities.tagger import tag_conll
        except ImportError as exc:
            fail("tagger", f"not available ({exc})")
        if file == "-":
            lines = sys.stdin
        else:
            p = Path(file)
            if not p.is_file():
                fail(file, "no such file")
            try:
                lines = p.read_text(encoding="utf-8-sig").splitlines()
            except UnicodeDecodeError:
                fail(file, "not UTF-8 text")
        for line in tag_conll(lines):
            sys.stdout.write(line + "\n")


@app.command()
def bench(n: list[int] = typer.Option([1000], "--n", help="Corpus sizes to generate (repeatable)."),
          workers: Optional[int] = typer.Option(None, "--workers"),
          json_out: Optional[Path] = typer.Option(None, "--json", help="Also write the figures as JSON."),
          all_stages: bool = typer.Option(False, "--all-stages", help="Also time linking, claims and events (slow on big N)."),
          engine: str = typer.Option("local", "--engine", help="local or ray.")):
    """Generate varied articles and measure items/second, CPU time and peak memory per stage."""
    from .bench import run_bench

    with user_errors():
        results = run_bench(n, workers=workers, progress=lambda msg: err.print(f"[dim]{msg}[/]"), later_stages=all_stages,
                            engine=engine)
        t = Table(title="marsad bench")
        for col in ("N", "stage", "items", "seconds", "items/s", "per core/s", "peak RSS MB", "CPU s", "workers MB"):
            t.add_column(col, justify="left" if col == "stage" else "right", no_wrap=True)
        for r in results:
            t.add_row(str(r["n"]), r["stage"], str(r["items"]), f"{r['seconds']:.2f}", f"{r['rate']:.1f}",
                      f"{r['rate_per_core']:.1f}", f"{r['peak_rss_mb']:.0f}",
                      f"{r['cpu_seconds']:.1f}" if "cpu_seconds" in r else "", f"{r['workers_peak_mb']:.0f}" if "workers_peak_mb" in r else "")
        Console(width=max(out.width, 120)).print(t)
        if json_out:
            import json

            json_out.write_text(json.dumps(results, indent=1))


@app.command()
def version():
    """Print the version."""
    out.print(f"marsad {__version__}")


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
