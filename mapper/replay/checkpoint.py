"""The durable resume position of a replay.

A checkpoint file records *which* replay it belongs to (the inputs and the settings that shape the
output) and *how far* it got: the watermark position before which every record is complete
(published, already archived, filtered, dropped, or failed and written to the dead-letter file),
plus the running counters so the final report covers the whole replay across resumes.

Input identity is path (resolved) + size + a BLAKE2b fingerprint of the first 64 KiB. Size catches
a file that grew or was truncated, the head fingerprint catches a rotated or replaced file; mtime is
left out on purpose, so copying the logs with their content intact (``cp`` without ``-p``) or
touching them does not invalidate a checkpoint.

Every save writes a temporary file, fsyncs it, renames it over the checkpoint atomically and fsyncs
the directory: after a crash the file holds either the previous or the new state, never a mix.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from mapper.errors import ConfigError
from mapper.replay.reader import STDIN, Position

_HEAD_BYTES = 64 * 1024
_MISMATCH = "checkpoint belongs to a different replay"


class InputIdentity(BaseModel):
    """What identifies one input file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    path: str
    size: int
    head_blake2b: str


class CheckpointPosition(BaseModel):
    """The watermark: every record before (file_index, line) is complete."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    file_index: int
    line: int


class CheckpointState(BaseModel):
    """The checkpoint file's content (JSON)."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1
    inputs: list[InputIdentity]
    settings: dict[str, str]
    position: CheckpointPosition
    counters: dict[str, int | float]
    done: bool = False

    @property
    def watermark(self) -> Position:
        """The position to resume from."""
        return Position(self.position.file_index, self.position.line)


def identify_inputs(paths: Sequence[str]) -> list[InputIdentity]:
    """The identity of each input (raises ConfigError for stdin: it cannot be resumed)."""
    identities = []
    for path in paths:
        if path == STDIN:
            raise ConfigError("stdin ('-') cannot be resumed; --checkpoint needs input files")
        try:
            with open(path, "rb") as handle:
                size = os.fstat(handle.fileno()).st_size
                head = handle.read(_HEAD_BYTES)
        except OSError as exc:
            raise ConfigError(f"cannot read input: {exc.strerror}", source=path) from None
        identities.append(
            InputIdentity(
                path=str(Path(path).resolve()),
                size=size,
                head_blake2b=hashlib.blake2b(head, digest_size=16).hexdigest(),
            )
        )
    return identities


class Checkpoint:
    """Reads and writes one checkpoint file for one replay (inputs + settings).

    ``settings`` are the flags that shape what is written (connection file digest, target, key
    template, no-overwrite...): resuming with different ones is refused, because the records before
    the watermark were processed under the old ones.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        inputs: Sequence[str],
        settings: Mapping[str, str] | None = None,
        *,
        before_save: Callable[[], None] | None = None,
    ) -> None:
        self.path = Path(path)
        self._inputs = identify_inputs(inputs)
        self._settings = dict(settings or {})
        # What must be durable before the watermark may move (e.g. a directory target's objects).
        self._before_save = before_save
        self.saves = 0

    def load(self) -> CheckpointState | None:
        """The saved state, or None when there is no checkpoint file yet.

        Raises :class:`ConfigError` when the file is unreadable or not a checkpoint, or when it
        belongs to a different replay (other inputs, changed input files, other settings).
        """
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise ConfigError(f"cannot read checkpoint: {exc.strerror}", source=str(self.path)) from None
        try:
            state = CheckpointState.model_validate_json(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "file"
            raise ConfigError(
                f"not a valid checkpoint file ({where}: {first['msg']})", source=str(self.path)
            ) from None
        self._check_same_replay(state)
        return state

    def save(self, position: Position, counters: Mapping[str, float], *, done: bool = False) -> None:
        """Durably record that every record before ``position`` is complete."""
        if self._before_save is not None:
            self._before_save()
        state = CheckpointState(
            inputs=self._inputs,
            settings=self._settings,
            position=CheckpointPosition(file_index=position.file_index, line=position.line),
            counters=dict(counters),
            done=done,
        )
        _write_atomically(self.path, state.model_dump_json(indent=1).encode("utf-8"))
        self.saves += 1

    def done(self, position: Position, counters: Mapping[str, float]) -> None:
        """Record that the replay completed (a rerun then has nothing left to do)."""
        self.save(position, counters, done=True)

    def _check_same_replay(self, state: CheckpointState) -> None:
        where = str(self.path)
        old_paths = [i.path for i in state.inputs]
        new_paths = [i.path for i in self._inputs]
        if old_paths != new_paths:
            raise ConfigError(
                f"{_MISMATCH}: it was written for inputs {old_paths}, not {new_paths}", source=where
            )
        for old, new in zip(state.inputs, self._inputs, strict=False):
            if old.size != new.size:
                raise ConfigError(
                    f"{_MISMATCH}: input {new.path} changed size ({old.size} -> {new.size} bytes)",
                    source=where,
                )
            if old.head_blake2b != new.head_blake2b:
                raise ConfigError(f"{_MISMATCH}: input {new.path} has different content", source=where)
        if state.settings != self._settings:
            changed = sorted(
                k
                for k in state.settings.keys() | self._settings.keys()
                if state.settings.get(k) != self._settings.get(k)
            )
            raise ConfigError(f"{_MISMATCH}: settings differ ({', '.join(changed)})", source=where)


def _write_atomically(path: Path, data: bytes) -> None:
    """Temp file in the same directory, fsync, rename over ``path``, fsync the directory."""
    directory = path.parent if str(path.parent) else Path(".")
    temp = directory / f".{path.name}.{os.getpid()}.tmp"
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, path)
        dir_fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise ConfigError(f"cannot write checkpoint: {exc.strerror or exc}", source=str(path)) from None
