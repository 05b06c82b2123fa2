"""The project's structure, checked on its source: every SQL statement lives in ``marsad.store``, and the
stage packages never import the store (the runner is the only place that joins stages and store).

In: the source files of ``src/marsad``, parsed with :mod:`ast` (never imported). Out: failures naming
file and line of each SQL string literal, database call or store import in the wrong place. The
detectors themselves are first checked on source text the tests write.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import marsad

SRC = Path(marsad.__file__).resolve().parent
STORE = SRC / "store"
STAGE_PACKAGES = ("clean", "entities", "link", "claims", "events", "text")   # and the registry, stages.py

# An SQL keyword where a statement starts (the string's start, or after a ``;``): the project writes
# SQL keywords in upper case; lower-case SQL is caught by its shape (``select .. from <table>`` ...).
_UPPER = re.compile(r"(?:^|;)\s*(?:SELECT|INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER|PRAGMA|WITH|BEGIN|COMMIT|"
                    r"ROLLBACK|VACUUM|ATTACH|DETACH|ANALYZE|REINDEX|SAVEPOINT|RELEASE)\b")
_SHAPE = re.compile(
    r"(?i)(?:^|;)\s*(?:select\s[\s\S]*?\sfrom\s+\w+\s*(?:$|where|order|group|join|limit|left|inner|,|\))"
    r"|insert\s+(?:or\s+\w+\s+)?into\s+\w+\s*(?:\(|values|select)|update\s+\w+\s+set\s+\w+\s*="
    r"|delete\s+from\s+\w+\s*(?:$|where)"
    r"|create\s+(?:temp\w*\s+|unique\s+|virtual\s+)?(?:table|index|view|trigger)\s+(?:if\s+not\s+exists\s+)?\w+"
    r"|pragma\s+\w+\s*(?:$|=|\())")
_DB_CALLS = {"execute", "executemany", "executescript"}


def is_sql(text: str) -> bool:
    return bool(_UPPER.search(text) or _SHAPE.search(text))


def sql_literals(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, text) of every string constant (plain, concatenated or an f-string's literal part) that
    starts an SQL statement."""
    return [(n.lineno, n.value) for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and is_sql(n.value)]


def database_access(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, what) of the other ways to reach a database: ``.execute`` / ``.executemany`` /
    ``.executescript`` calls, the store's connection (``.db``), ``sqlite3`` imports."""
    out = []
    for n in ast.walk(tree):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in _DB_CALLS:
            out.append((n.lineno, f".{n.func.attr}("))
        elif isinstance(n, ast.Attribute) and n.attr == "db":
            out.append((n.lineno, ".db"))
        elif isinstance(n, ast.Import) and any(a.name.split(".")[0] == "sqlite3" for a in n.names):
            out.append((n.lineno, "import sqlite3"))
        elif isinstance(n, ast.ImportFrom) and n.level == 0 and (n.module or "").split(".")[0] == "sqlite3":
            out.append((n.lineno, "from sqlite3 import"))
    return out


def imported_modules(tree: ast.AST, module: str, is_package: bool) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in ``module``'s source, relative ones resolved;
    ``from X import y`` yields both ``X`` and ``X.y`` (``y`` may be a submodule)."""
    package = module if is_package else module.rpartition(".")[0]
    out = []
    for n in ast.walk(tree):
        if isinstance(n, ast.Import):
            out += [(n.lineno, a.name) for a in n.names]
        elif isinstance(n, ast.ImportFrom):
            if n.level:
                base = package.split(".")
                base = base[:len(base) - (n.level - 1)]
                name = ".".join(base + ([n.module] if n.module else []))
            else:
                name = n.module or ""
            out.append((n.lineno, name))
            out += [(n.lineno, f"{name}.{a.name}") for a in n.names]
    return out


def imports_store(tree: ast.AST, module: str, is_package: bool) -> list[tuple[int, str]]:
    return [(line, name) for line, name in imported_modules(tree, module, is_package)
            if name == "marsad.store" or name.startswith("marsad.store.")]


def _modules():
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC.parent)
        parts = list(rel.with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        yield path, ".".join(parts), is_package, ast.parse(path.read_text(encoding="utf-8"), str(path))


def _in_store(path: Path) -> bool:
    return STORE in path.parents


# -- the detectors, on text the test writes ---------------------------------------------------------
def test_detectors_find_sql_database_calls_and_store_imports():
    src = '''
"""Select the sentence from each article that names the most entities; update the title."""
import sqlite3
from ..store import Store
from .. import store
from marsad.store.db import SQLiteStore
from ..text import normalize

def f(db, ids, marks):
    db.execute("SELECT id FROM articles WHERE id=?", (1,))
    db.executemany("INSERT OR IGNORE INTO lsh_bands(key, article_id) "
                   "VALUES (?,?)", [])
    rows = db.execute(f"SELECT id FROM articles WHERE id IN ({marks})", ids)
    sql = "  update stories set title=? where id=?"
    script = "BEGIN IMMEDIATE; CREATE TEMP TABLE q (k INTEGER); COMMIT;"
    later = "x;  delete from copies where article_id=?"
    other = store.db
    label = "Replace digits with 0-9; select a row from the list"
    return "Drop place mentions that name an outlet"
'''
    tree = ast.parse(src)
    found = [text for _line, text in sql_literals(tree)]
    assert len(found) == 6, found
    assert not any(t.startswith(("Select", "Replace", "Drop")) for t in found)
    assert {w for _l, w in database_access(tree)} == {".execute(", ".executemany(", ".db", "import sqlite3"}
    lines = sorted({line for line, _n in imports_store(tree, "marsad.link.duplicates", False)})
    assert lines == [4, 5, 6]
    assert imports_store(ast.parse("from .store import Store"), "marsad.runner", False)
    assert not imports_store(ast.parse("from .store import x"), "marsad.link", True)   # marsad.link.store
    assert imports_store(ast.parse("from ..store import x"), "marsad.link", True)
    assert not imports_store(ast.parse("from ..storage import x\nimport marsad.stores"), "marsad.link.a", False)


def test_the_detector_sees_the_stores_own_sql():
    """The scan is not blind: the store's modules hold the project's SQL and it finds it there."""
    per_file = {p.name: len(sql_literals(tree)) for p, _m, _pkg, tree in _modules() if _in_store(p)}
    assert per_file.get("db.py", 0) >= 20 and per_file.get("link.py", 0) >= 10, per_file


# -- the rules, on the project's source -------------------------------------------------------------
def test_every_sql_statement_lives_in_the_store():
    wrong = [f"{p.relative_to(SRC.parent)}:{line}: {text[:60]!r}"
             for p, _m, _pkg, tree in _modules() if not _in_store(p) for line, text in sql_literals(tree)]
    assert not wrong, "SQL outside src/marsad/store/ (move it into a store method):\n" + "\n".join(wrong)


def test_only_the_store_reaches_the_database():
    wrong = [f"{p.relative_to(SRC.parent)}:{line}: {what}"
             for p, _m, _pkg, tree in _modules() if not _in_store(p) for line, what in database_access(tree)]
    assert not wrong, "database access outside src/marsad/store/ (use a store method):\n" + "\n".join(wrong)


def test_stages_never_import_the_store():
    stage_modules = [(p, m, pkg, tree) for p, m, pkg, tree in _modules()
                     if m == "marsad.stages" or m.split(".")[1:2] and m.split(".")[1] in STAGE_PACKAGES]
    assert {m.split(".")[1] for _p, m, _k, _t in stage_modules} == set(STAGE_PACKAGES) | {"stages"}
    wrong = [f"{p.relative_to(SRC.parent)}:{line}: imports {name}"
             for p, m, pkg, tree in stage_modules for line, name in imports_store(tree, m, pkg)]
    assert not wrong, "a stage imports the store (the runner joins stages and store):\n" + "\n".join(wrong)
