"""A run folder's lock: one writer at a time, and a second one told who holds it.

Like a sign-up sheet on a meeting-room door, the lock file ``.govsim-lock`` in the run folder
names its holder (process id, host, start time, command) and is held with ``flock`` for as
long as the run writes into the folder. A second run into the folder is refused with one
line naming the folder and the holder. The kernel lets go of an ``flock`` when its holder
dies, so a lock left behind by a killed run (a *stale* lock) is taken over, with a note
saying so; a run that ends normally removes the file.

Worker processes forked while the lock is held close their copy of it at once, so a worker
never keeps a lock alive after its run.
"""

from __future__ import annotations

import datetime as _dt
import fcntl
import json
import os
import socket
import sys
import time
import weakref
from pathlib import Path

from sim.scenario.errors import ScenarioError

LOCK_FILE = ".govsim-lock"
_HELD: set[int] = set()  # descriptors of the locks this process holds


class RunFolderError(ScenarioError):
    """A run folder that cannot be used: in use, of another experiment, or damaged.

    Parameters
    ----------
    root : Path
        The run folder.
    message : str
        What is wrong and what to do, in one line (it follows the quoted folder).
    """

    def __init__(self, root: Path, message: str) -> None:
        self.root = Path(root)
        super().__init__("--out", "", f"'{root}' {message}")


def _close_in_child() -> None:
    """In a forked child: drop the inherited lock descriptors (the parent keeps its lock)."""
    for fd in list(_HELD):
        try:
            os.close(fd)
        except OSError:
            pass
    _HELD.clear()


os.register_at_fork(after_in_child=_close_in_child)


def holder_text(info: dict) -> str:
    """The holder of a lock in words: ``pid 123 on host h, started 2026-…``."""
    return (
        f"pid {info.get('pid', '?')} on host {info.get('host', '?')}, "
        f"started {info.get('started', '?')}"
    )


def alive(pid: int) -> bool:
    """Whether a process of this id runs on this host."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


class FolderLock:
    """The lock on a run folder, held from `acquire` until `release` (or this process ends).

    Parameters
    ----------
    root : Path
        The run folder (created if need be).
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.path = self.root / LOCK_FILE
        self._fd: int | None = None
        self._finalizer: weakref.finalize | None = None

    @property
    def held(self) -> bool:
        """Whether this process holds the lock."""
        return self._fd is not None

    def acquire(self) -> None:
        """Take the lock, or raise `RunFolderError` naming the holder.

        A lock whose holder died is taken over and a note goes to standard error.
        """
        while True:
            try:
                self.root.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise RunFolderError(self.root, f"cannot be written ({exc.strerror})") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise RunFolderError(
                    self.root,
                    f"is in use by another run ({holder_text(self._holder())}); "
                    "wait for it to end or choose another folder",
                ) from None
            except BaseException:
                os.close(fd)
                raise
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:  # the holder released it between our open and flock
                same = False
            if same:
                break
            os.close(fd)  # a lock file that is no longer the folder's: start again
        old = _read(fd)
        if old:
            print(
                f"govsim: note: taking over the stale lock of '{self.root}' "
                f"({holder_text(old)}; that run ended without releasing it)",
                file=sys.stderr,
            )
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
            "command": " ".join(sys.argv)[:300],
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(info) + "\n").encode(), 0)
        self._fd = fd
        _HELD.add(fd)
        self._finalizer = weakref.finalize(self, _release, fd, str(self.path), os.getpid())

    def release(self) -> None:
        """Let go of the lock and remove the lock file."""
        if self._finalizer is not None:
            self._finalizer()  # runs once: unlink, then close
        self._fd = None
        self._finalizer = None

    def _holder(self) -> dict:
        """What the lock file says of its holder (it may be a moment before it says it)."""
        for _ in range(20):
            try:
                info = json.loads(self.path.read_text(encoding="utf-8") or "{}")
            except (OSError, ValueError):
                info = {}
            if info:
                return info
            time.sleep(0.05)
        return {}


def _read(fd: int) -> dict:
    """The holder recorded in an open lock file (empty when none)."""
    try:
        text = os.pread(fd, 4096, 0).decode("utf-8", "replace")
        info = json.loads(text) if text.strip() else {}
    except (OSError, ValueError):
        return {"pid": "?", "host": "?", "started": "?"}
    return info if isinstance(info, dict) else {}


def _release(fd: int, path: str, owner: int) -> None:
    """Remove the lock file (while still holding it), then close it; nothing in a forked
    child, which closed its copy at the fork."""
    if os.getpid() != owner:
        return
    try:
        if os.fstat(fd).st_ino == os.stat(path).st_ino:
            os.unlink(path)
    except OSError:
        pass
    _HELD.discard(fd)
    try:
        os.close(fd)
    except OSError:
        pass
