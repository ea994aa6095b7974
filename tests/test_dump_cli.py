"""`tipgraph dump`: the current store to a folder, a file or stdout, same bytes as load wrote."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from tipgraph.cli import main
from tipgraph.export import CHECKSUMS, DUMPS, LISTING
from tipgraph.quality import FILES
from tipgraph.store.location import StoreVersion

from .helpers import ROOT


def dump(store: Path, *args: str) -> tuple[int, bytes, str]:
    result = CliRunner().invoke(main, ["--root", str(ROOT), "dump", "--store", str(store), *args])
    return result.exit_code, result.stdout_bytes, result.stderr


def test_all_formats_into_a_folder_equal_the_dumps_written_by_load(
    built_store: StoreVersion, store_dir: Path, tmp_path: Path
) -> None:
    code, out, err = dump(store_dir, "-o", str(tmp_path / "out"))
    assert code == 0, err
    assert out == b""
    loaded = built_store.path / DUMPS
    # the load also publishes its validation (and lists it): a dump has none to publish
    names = sorted(p.name for p in loaded.iterdir() if p.name not in FILES)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == names
    assert CHECKSUMS in names and LISTING in names and "tipgraph.nq.gz" in names
    for name in set(names) - {CHECKSUMS, LISTING}:
        assert (tmp_path / "out" / name).read_bytes() == (loaded / name).read_bytes(), name
    assert "wrote 13 files" in err  # six formats, plain and gzipped, and the CSVW metadata
    sums = (tmp_path / "out" / CHECKSUMS).read_text()
    assert (loaded / CHECKSUMS).read_text().startswith(sums)


def test_one_format_to_stdout(built_store: StoreVersion, store_dir: Path) -> None:
    code, out, err = dump(store_dir, "--format", "nt")
    assert code == 0, err
    assert out == (built_store.path / DUMPS / "tipgraph.nt").read_bytes()
    assert f"{built_store.manifest.triples:,} triples" in err


def test_one_format_gzipped_to_a_file_or_a_folder(
    built_store: StoreVersion, store_dir: Path, tmp_path: Path
) -> None:
    code, _, err = dump(store_dir, "--format", "csv", "--gzip", "-o", str(tmp_path / "s.csv.gz"))
    assert code == 0, err
    expected = (built_store.path / DUMPS / "tipgraph.csv.gz").read_bytes()
    assert (tmp_path / "s.csv.gz").read_bytes() == expected
    code, _, err = dump(store_dir, "--format", "trig", "-o", str(tmp_path))
    assert code == 0, err
    trig = (built_store.path / DUMPS / "tipgraph.trig").read_bytes()
    assert (tmp_path / "tipgraph.trig").read_bytes() == trig


def test_without_a_store_says_to_load(tmp_path: Path) -> None:
    code, out, err = dump(tmp_path / "none", "--format", "nt")
    assert code == 2
    assert out == b""
    assert "tipgraph load" in err
