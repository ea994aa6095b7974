"""A store directory holding versions of the database, one of them current.

Layout of ``--store DIR``::

    DIR/current            symlink to the active version (replaced atomically by rename)
    DIR/<version>/oxigraph the Oxigraph database
    DIR/<version>/manifest.json  what was loaded, when, how many triples, the content hash
    DIR/.building-*        a load in progress (removed when it fails; stale ones are swept)

A load writes a new version beside the current one and swaps the symlink only once the new
database is complete, so readers see the old version or the new one, never a mix.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from tipgraph.errors import StoreError

CURRENT = "current"
DATABASE = "oxigraph"
MANIFEST = "manifest.json"
BUILDING_PREFIX = ".building-"
KEEP_VERSIONS = 2  # the current one and the one before: a running server may still read it


@dataclass(frozen=True)
class Manifest:
    """What a store version holds."""

    version: str
    triples: int
    graphs: dict[str, int]
    files: int
    loaded_at: str
    seconds: float
    validated: bool


@dataclass(frozen=True)
class StoreVersion:
    """One complete, loaded version of the store."""

    path: Path
    manifest: Manifest

    @property
    def database(self) -> Path:
        return self.path / DATABASE


class StoreLocation:
    """The ``--store`` directory."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def current(self) -> StoreVersion | None:
        """The active version, or None when nothing was loaded yet.

        StoreError when the store cannot be read, or its version is incomplete or damaged
        (a manifest that does not parse, a database that does not open): a store like that is
        reported, never loaded over.
        """
        link = self.path / CURRENT
        try:
            if not link.is_symlink() and not link.exists():
                return None
            target = link.resolve()
            gone = not target.is_dir()
        except (OSError, RuntimeError) as error:  # RuntimeError: a symlink loop
            raise StoreError(f"{link}: cannot read the store ({_reason(error)}).") from None
        if gone:
            raise StoreError(
                f"{link}: points to {target.name}, which is gone; run `tipgraph load` again."
            )
        try:
            text = (target / MANIFEST).read_text(encoding="utf-8")
        except OSError as error:
            raise StoreError(
                f"{link}: not a complete tipgraph store ({_reason(error)}); run `tipgraph load` "
                "again."
            ) from None
        try:
            manifest = Manifest(**json.loads(text))
        except (ValueError, TypeError) as error:
            raise StoreError(
                f"{target / MANIFEST}: not a tipgraph manifest ({_reason(error)}); run "
                "`tipgraph load` again."
            ) from None
        _require_database(target / DATABASE)
        return StoreVersion(target, manifest)

    def require_current(self) -> StoreVersion:
        """The active version; StoreError saying how to create one if there is none."""
        version = self.current()
        if version is None:
            raise StoreError(f"{self.path}: no store here yet; run `tipgraph load` first.")
        return version

    @contextlib.contextmanager
    def new_version(self) -> Iterator[Path]:
        """A fresh folder to build a version in; removed unless :meth:`activate` took it."""
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            lock = (self.path / ".lock").open("a")
        except OSError as error:
            raise StoreError(f"{self.path}: cannot write the store ({_reason(error)}).") from None
        with lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise StoreError(
                    f"{self.path}: another `tipgraph load` is writing this store; wait for it."
                ) from None
            try:
                self._sweep_stale_builds()
                folder = Path(tempfile.mkdtemp(prefix=BUILDING_PREFIX, dir=self.path))
                folder.chmod(0o755)  # readable by a server running as another user
            except OSError as error:
                message = f"{self.path}: cannot write the store ({_reason(error)})."
                raise StoreError(message) from None
            try:
                yield folder
            finally:
                shutil.rmtree(folder, ignore_errors=True)
                if folder.exists():  # a database object in a reference cycle still writes
                    gc.collect()
                    shutil.rmtree(folder, ignore_errors=True)

    def activate(self, folder: Path, manifest: Manifest) -> StoreVersion:
        """Make the complete version built in ``folder`` the current one, atomically."""
        try:
            with (folder / MANIFEST).open("w", encoding="utf-8") as stream:
                stream.write(json.dumps(asdict(manifest), indent=2) + "\n")
                stream.flush()
                os.fsync(stream.fileno())
            # Names sort in load order (microseconds), and never collide (the unique suffix).
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
            unique = folder.name.removeprefix(BUILDING_PREFIX)
            final = self.path / f"{stamp}-{manifest.version[:12]}-{unique}"
            folder.rename(final)
            _fsync_dir(self.path)
            link = self.path / f".{CURRENT}-{os.getpid()}"
            with contextlib.suppress(FileNotFoundError):
                link.unlink()
            link.symlink_to(final.name)
            link.replace(self.path / CURRENT)  # rename(2): atomic
            _fsync_dir(self.path)
        except OSError as error:
            raise StoreError(f"{self.path}: cannot activate the new store ({error}).") from None
        self._remove_old_versions(keep=final)
        return StoreVersion(final, manifest)

    def _versions(self) -> list[Path]:
        return sorted(
            p
            for p in self.path.iterdir()
            if p.is_dir() and not p.is_symlink() and (p / MANIFEST).is_file()
        )

    @contextlib.contextmanager
    def hold(self, version: StoreVersion) -> Iterator[None]:
        """Keep ``version`` from being removed by later loads while a server reads it."""
        descriptor = os.open(version.path, os.O_RDONLY)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_SH)  # on the folder: no write access needed
            yield
        finally:
            os.close(descriptor)

    def _remove_old_versions(self, keep: Path) -> None:
        older = [p for p in self._versions() if p != keep]
        for folder in older[: max(len(older) - (KEEP_VERSIONS - 1), 0)]:
            if _unused(folder):
                shutil.rmtree(folder, ignore_errors=True)

    def _sweep_stale_builds(self) -> None:
        """Remove what interrupted loads left behind (no process holds them any more)."""
        for folder in self.path.glob(f"{BUILDING_PREFIX}*"):
            shutil.rmtree(folder, ignore_errors=True)


def _require_database(database: Path) -> None:
    """StoreError unless ``database`` opens (read-only, as servers and queries open it)."""
    try:
        store = ox.Store.read_only(str(database))
    except (OSError, RuntimeError) as error:  # pyoxigraph: RuntimeError when it is damaged
        raise StoreError(
            f"{database}: the database does not open ({_reason(error)}); run `tipgraph load` again."
        ) from None
    del store


def _reason(error: BaseException) -> str:
    """What went wrong, without Python's decoration: "Permission denied: /store/.lock"."""
    if isinstance(error, OSError) and error.strerror:
        return f"{error.strerror}: {error.filename}" if error.filename else error.strerror
    return " ".join(str(error).split()).rstrip(".")  # RocksDB's: double spaces, a full stop


def _unused(folder: Path) -> bool:
    """Whether no server holds ``folder`` (see :meth:`StoreLocation.hold`)."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(descriptor)
    return True


def _fsync_dir(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
