"""A store directory that is missing or damaged: `serve`, `query` and `dump` each say so in one
sentence. A damaged store is never loaded over; only a missing one is (by `serve`)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tipgraph.store.location import CURRENT, MANIFEST, StoreVersion

from ..helpers.documented import documented
from ..helpers.servers import free_port
from .conftest import assert_one_clear_sentence, tipgraph


def truncate(files: list[Path], size: int) -> None:
    assert files
    for file in files:
        os.truncate(file, size)


def point_current_to_nothing(store: StoreVersion) -> None:
    link = store.path.parent / CURRENT
    link.unlink()
    link.symlink_to("no-such-version")


DAMAGES: dict[str, Callable[[StoreVersion], object]] = {
    "current points to a removed version": lambda store: shutil.rmtree(store.path),
    "current is a link to nothing": point_current_to_nothing,
    "the manifest is not JSON": lambda store: (store.path / MANIFEST).write_text("{garbage"),
    "the manifest is not a manifest": lambda store: (store.path / MANIFEST).write_text("[1]"),
    "the database is gone": lambda store: shutil.rmtree(store.database),
    "RocksDB's CURRENT is garbage": lambda store: (store.database / "CURRENT").write_text("x\n"),
    "RocksDB's MANIFEST is truncated": lambda store: truncate(
        list(store.database.glob("MANIFEST-*")), 10
    ),
    "RocksDB's table files are truncated": lambda store: truncate(
        list(store.database.glob("*.sst")), 100
    ),
}

COMMANDS: dict[str, Callable[[Path, Path], tuple[str, ...]]] = {
    "serve": lambda store, _: ("serve", "--store", str(store), "--port", str(free_port())),
    "query": lambda store, _: ("query", "--store", str(store), "ASK { ?s ?p ?o }"),
    "dump": lambda store, out: ("dump", "--store", str(store), "--output", str(out)),
}


def listing(folder: Path) -> list[tuple[str, int]]:
    return sorted((str(p.relative_to(folder)), p.lstat().st_size) for p in folder.rglob("*"))


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_store_is_reported_in_one_sentence_and_left_as_it_is(
    store: StoreVersion, tmp_path: Path, damage: str, command: str
) -> None:
    DAMAGES[damage](store)
    folder = store.path.parent
    before = listing(folder)
    result = tipgraph(*COMMANDS[command](folder, tmp_path / "dumps"), timeout=30)
    sentence = assert_one_clear_sentence(result, str(folder), "tipgraph load")
    if damage == "the manifest is not JSON":
        documented("a damaged store (serve, query, dump)", result.returncode, sentence)
    assert listing(folder) == before, "the damaged store was changed"
    assert not (tmp_path / "dumps").exists()


@pytest.mark.parametrize("command", ["query", "dump"])
def test_a_missing_store_says_to_load_first(tmp_path: Path, command: str) -> None:
    missing = tmp_path / "no" / "store"
    result = tipgraph(*COMMANDS[command](missing, tmp_path / "dumps"))
    sentence = assert_one_clear_sentence(result, str(missing), "no store here yet")
    documented("no store yet (query, dump)", result.returncode, sentence)
    assert not missing.exists()


@pytest.mark.parametrize("command", ["query", "dump"])
def test_a_store_path_that_is_a_dangling_link_says_to_load_first(
    tmp_path: Path, command: str
) -> None:
    # (`serve` takes the folder the link points to for a missing store, and loads into it.)
    link = tmp_path / "store"
    link.symlink_to(tmp_path / "gone")
    result = tipgraph(*COMMANDS[command](link, tmp_path / "dumps"))
    assert_one_clear_sentence(result, str(tmp_path / "gone"), "no store here yet")
    assert not (tmp_path / "gone").exists()


def test_serve_says_in_one_sentence_when_it_cannot_create_a_missing_store(
    tmp_path: Path,
) -> None:
    (tmp_path / "a-file").write_text("not a folder\n")
    store = tmp_path / "a-file" / "store"
    result = tipgraph(*COMMANDS["serve"](store, tmp_path), timeout=60)
    assert_one_clear_sentence(result, str(store), "cannot write the store", "not a directory")


def test_a_dump_that_meets_damaged_data_says_so_in_one_sentence(
    store: StoreVersion, tmp_path: Path
) -> None:
    # The database opens (its files are whole), but blocks of data inside them are garbage.
    tables = [file for file in store.database.glob("*.sst") if file.stat().st_size > 64 << 10]
    assert tables
    for table in tables:  # a quarter in: in a block of data, not the index at the end
        with table.open("r+b") as stream:
            stream.seek(table.stat().st_size // 4)
            stream.write(bytes(range(256)))
    output = tmp_path / "tipgraph.nt"
    folder = store.path.parent
    result = tipgraph("dump", "--store", str(folder), "--format", "nt", "--output", str(output))
    assert_one_clear_sentence(result, str(folder), "corruption")


@pytest.mark.parametrize(
    ("name", "garbage"), [("aggregates.json", "{garbage"), ("catalog.ttl", "<not turtle")]
)
def test_serve_reports_a_damaged_description_in_one_sentence(
    store: StoreVersion, name: str, garbage: str
) -> None:
    (store.path / name).write_text(garbage, encoding="utf-8")
    folder = store.path.parent
    result = tipgraph(*COMMANDS["serve"](folder, folder), timeout=30)
    assert_one_clear_sentence(result, name if name == "catalog.ttl" else str(store.path))
