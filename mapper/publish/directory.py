"""Publishing to a local directory: one file per message at ROOT/KEY, the local twin of an S3 bucket.

The key is the message's ``http.path`` header without its leading ``/`` — the same key the S3
publisher would use — and ``/`` in it makes subdirectories. A key must stay inside ROOT: keys with
``.`` / ``..`` / empty segments, absolute keys, and paths through a symlink that points outside
ROOT are refused with :class:`InvalidKeyError` (S3 would store ``a//b`` and ``a/./b`` as distinct
keys; a file system would silently alias them, so they are refused rather than merged).

Each object is written to a temporary file in its target directory and renamed into place, so a
reader (or a crash) never sees a half-written object. Per-object fsync is off by default: the
rename already makes objects safe against a crash of the process (the replay's resume model);
``fsync=True`` also makes them survive a power loss, at the cost of two fsyncs per object (see
benchmarks/bench_replay.py). Cheaper and enough for a checkpointed replay: :meth:`flush_durably`
makes everything written so far durable with one ``syncfs(2)`` of the directory's file system; the
replay calls it before each checkpoint, so the watermark never passes an object a power loss could
still take away. In ``no_overwrite`` mode the object is linked into place with
``link(2)``, which fails if the name exists — an atomic create-if-absent, like S3's
``If-None-Match: *`` — and an existing object is compared byte for byte.
"""

from __future__ import annotations

import ctypes
import functools
import os
import secrets
import threading
from collections.abc import Callable
from pathlib import Path

from mapper.errors import ConfigError, InvalidKeyError, PublishConflictError, PublishError
from mapper.protocol.external import ExternalMessage
from mapper.publish.keys import check_key
from mapper.publish.payload import payload_bytes
from mapper.publish.result import PublishResult

_NAME_MAX = 255  # bytes per path segment on Linux file systems


class DirectoryPublisher:
    """Writes each message's payload to ``root / key``; thread-safe."""

    def __init__(
        self, root: str | os.PathLike[str], *, no_overwrite: bool = False, fsync: bool = False
    ) -> None:
        self.root = Path(root)
        self.no_overwrite = no_overwrite
        self.fsync = fsync
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"cannot create output directory: {exc.strerror}", source=str(root)) from None
        if not self.root.is_dir():
            raise ConfigError("output path exists and is not a directory", source=str(root))
        self._root_real = os.path.realpath(self.root)
        self._checked_dirs: set[str] = set()  # relative dir paths known to be inside root
        self._lock = threading.Lock()
        self._unsynced = False  # objects written since the last flush_durably()

    def flush_durably(self) -> None:
        """Make every object written so far survive a power loss (a no-op with ``fsync=True``)."""
        with self._lock:
            if not self._unsynced:
                return
            self._unsynced = False
        _sync_file_system(self._root_real)

    def close(self) -> None:
        """Nothing to release (every write closes its file); here so callers treat destinations alike."""

    @staticmethod
    def key_of(message: ExternalMessage) -> str:
        """The object key: ``http.path`` without its leading ``/``."""
        path = message.headers.get("http.path", "")
        if not isinstance(path, str):
            raise InvalidKeyError(
                f"the 'http.path' header must be a string, got {type(path).__name__}", key=""
            )
        return path[1:] if path.startswith("/") else path

    def publish(self, message: ExternalMessage) -> PublishResult:
        """Store the message's payload under its key.

        Returns status 201 for a new object, 200 for a replaced one, and ``already_archived`` in
        no-overwrite mode when the same bytes are already there. Raises :class:`InvalidKeyError`
        for keys that cannot be stored inside the directory, :class:`PublishConflictError` in
        no-overwrite mode when different bytes are there, :class:`PublishError` on I/O errors.
        """
        key = self.key_of(message)
        directory, name = self._place(key)
        data = payload_bytes(message, key)
        final = os.path.join(directory, name)
        temp = os.path.join(directory, f".tmp-{secrets.token_hex(8)}")
        try:
            self._write_temp(temp, data)
            try:
                if self.no_overwrite:
                    return self._link_if_absent(temp, final, key, data)
                existed = os.path.lexists(final)
                os.replace(temp, final)
            finally:
                if os.path.lexists(temp):
                    os.unlink(temp)
            if self.fsync:
                _fsync_dir(directory)
            else:
                self._unsynced = True
        except PublishError:
            raise
        except OSError as exc:
            raise PublishError(f"cannot write {final}: {exc.strerror or exc}", key=key, attempts=1) from None
        return PublishResult(key=key, status=200 if existed else 201, attempts=1)

    # -- where the file goes -------------------------------------------------------------------

    def _place(self, key: str) -> tuple[str, str]:
        """Validate ``key``; create and check its directories; return (directory, file name)."""
        check_key(key)
        if key.startswith("/"):
            raise InvalidKeyError(
                "object key is an absolute path; it must stay inside the directory", key=key
            )
        segments = key.split("/")
        for segment in segments:
            if segment in ("", ".", ".."):
                shown = repr(segment) if segment else "empty"
                raise InvalidKeyError(
                    f"object key has a {shown} path segment, which a directory cannot store faithfully",
                    key=key,
                )
            if len(segment.encode("utf-8")) > _NAME_MAX:
                raise InvalidKeyError(f"object key has a path segment over {_NAME_MAX} bytes", key=key)
        relative = ""
        for segment in segments[:-1]:
            relative = f"{relative}/{segment}" if relative else segment
            self._ensure_dir(relative, key)
        directory = os.path.join(self.root, *segments[:-1])
        final = os.path.join(directory, segments[-1])
        if os.path.islink(final):
            raise InvalidKeyError("object key names a symlink; refusing to write through it", key=key)
        if os.path.isdir(final):
            raise InvalidKeyError("object key names an existing directory", key=key)
        return directory, segments[-1]

    def _ensure_dir(self, relative: str, key: str) -> None:
        if relative in self._checked_dirs:
            return
        path = os.path.join(self.root, relative)
        try:
            os.mkdir(path)
        except FileExistsError:
            pass
        except OSError as exc:
            raise PublishError(
                f"cannot create directory {path}: {exc.strerror}", key=key, attempts=1
            ) from None
        if os.path.islink(path):
            real = os.path.realpath(path)
            if os.path.commonpath([real, self._root_real]) != self._root_real:
                raise InvalidKeyError(
                    f"object key leads through symlink {relative!r} to {real}, outside the directory",
                    key=key,
                )
        if not os.path.isdir(path):
            raise InvalidKeyError(
                f"object key needs {relative!r} to be a directory, but it is a file", key=key
            )
        with self._lock:
            self._checked_dirs.add(relative)

    # -- writing -------------------------------------------------------------------------------

    def _write_temp(self, temp: str, data: bytes) -> None:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if self.fsync:
                os.fsync(fd)
        finally:
            os.close(fd)

    def _link_if_absent(self, temp: str, final: str, key: str, data: bytes) -> PublishResult:
        try:
            os.link(temp, final)
        except FileExistsError:
            if _read_no_follow(final) == data:
                return PublishResult(key=key, status=200, attempts=1, already_archived=True)
            raise PublishConflictError(
                "no-overwrite: the key already holds different content", key=key, status=412, attempts=1
            ) from None
        if self.fsync:
            _fsync_dir(os.path.dirname(final))
        return PublishResult(key=key, status=201, attempts=1)


def _read_no_follow(path: str) -> bytes:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as handle:
        return handle.read()


def _fsync_dir(directory: str) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_file_system(path: str) -> None:
    """``syncfs(2)`` on the file system holding ``path`` (Linux); ``sync(2)`` elsewhere."""
    libc_syncfs = _libc_syncfs()
    if libc_syncfs is None:
        os.sync()
        return
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        if libc_syncfs(fd) != 0:
            errno = ctypes.get_errno()
            raise PublishError(f"cannot make {path} durable: {os.strerror(errno)}")
    finally:
        os.close(fd)


@functools.cache
def _libc_syncfs() -> Callable[[int], int] | None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.syncfs  # type: ignore[no-any-return]
    except (OSError, AttributeError):
        return None
