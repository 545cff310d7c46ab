"""Directory publisher: atomic files under ROOT/KEY, no-overwrite, and keys that would escape."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from mapper.errors import ConfigError, InvalidKeyError, PublishConflictError, PublishError
from mapper.protocol.external import ExternalMessage
from mapper.publish.directory import DirectoryPublisher


def message(path: str, text: str = "payload") -> ExternalMessage:
    return ExternalMessage(headers={"http.path": path}, text_payload=text)


def test_writes_payload_under_key_with_subdirectories(tmp_path: Path) -> None:
    publisher = DirectoryPublisher(tmp_path / "out")
    result = publisher.publish(message("/thing:org.acme:dev 1/2024-01-01/rev:7", "hello"))
    assert (result.key, result.status, result.attempts, result.already_archived) == (
        "thing:org.acme:dev 1/2024-01-01/rev:7",
        201,
        1,
        False,
    )
    assert (tmp_path / "out" / "thing:org.acme:dev 1" / "2024-01-01" / "rev:7").read_text() == "hello"
    assert publisher.publish(message("/thing:org.acme:dev 1/2024-01-01/rev:7", "again")).status == 200
    assert (tmp_path / "out" / "thing:org.acme:dev 1" / "2024-01-01" / "rev:7").read_text() == "again"
    byte_msg = ExternalMessage(headers={"http.path": "bin"}, byte_payload=b"\x00\xff")
    assert publisher.publish(byte_msg).key == "bin"
    assert (tmp_path / "out" / "bin").read_bytes() == b"\x00\xff"
    assert not [p for p in (tmp_path / "out").rglob(".tmp-*")]


def test_no_overwrite(tmp_path: Path) -> None:
    publisher = DirectoryPublisher(tmp_path, no_overwrite=True, fsync=True)
    assert publisher.publish(message("/a/b", "one")).status == 201
    again = publisher.publish(message("/a/b", "one"))
    assert again.already_archived and again.status == 200
    with pytest.raises(PublishConflictError, match="different content") as info:
        publisher.publish(message("/a/b", "two"))
    assert info.value.key == "a/b" and info.value.status == 412
    assert (tmp_path / "a" / "b").read_text() == "one"
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["b"]  # no temp file left


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/../x", "'..' path segment"),
        ("a/../../x", "'..' path segment"),
        ("//abs/x", "absolute"),
        ("a//b", "empty path segment"),
        ("a/./b", "'.' path segment"),
        ("a/", "empty path segment"),
        ("", "empty"),
        ("/", "empty"),
        ("a\x00b", "NUL"),
        ("k" * 1025, "1024"),
        ("a/" + "n" * 256, "over 255 bytes"),
    ],
)
def test_keys_that_cannot_stay_inside_are_refused(tmp_path: Path, path: str, reason: str) -> None:
    root = tmp_path / "root"
    with pytest.raises(InvalidKeyError, match=reason):
        DirectoryPublisher(root).publish(message(path))
    assert sorted(tmp_path.rglob("*")) == [root]


def test_symlink_escape_is_refused_but_inner_symlinks_work(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (root / "escape").symlink_to(outside)
    (root / "real").mkdir()
    (root / "inner").symlink_to(root / "real")
    publisher = DirectoryPublisher(root)
    with pytest.raises(InvalidKeyError, match="outside the directory"):
        publisher.publish(message("/escape/x"))
    with pytest.raises(InvalidKeyError, match="outside the directory"):
        publisher.publish(message("/escape/sub/x"))
    assert list(outside.iterdir()) == []
    publisher.publish(message("/inner/x", "ok"))
    assert (root / "real" / "x").read_text() == "ok"
    (root / "file-link").symlink_to(outside / "target")
    with pytest.raises(InvalidKeyError, match="symlink"):
        publisher.publish(message("/file-link"))
    assert not (outside / "target").exists()


def test_file_in_the_way_of_a_directory(tmp_path: Path) -> None:
    publisher = DirectoryPublisher(tmp_path)
    publisher.publish(message("/a"))
    with pytest.raises(InvalidKeyError, match="is a file"):
        publisher.publish(message("/a/b"))
    with pytest.raises(InvalidKeyError, match="existing directory"):
        publisher.publish(message("/a2/b"))
        publisher.publish(message("/a2"))


def test_root_must_be_a_directory(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("")
    with pytest.raises(ConfigError):
        DirectoryPublisher(tmp_path / "f")


def test_concurrent_writers_same_and_different_keys(tmp_path: Path) -> None:
    publisher = DirectoryPublisher(tmp_path, no_overwrite=True)
    results: list[bool] = []
    lock = threading.Lock()

    def work(n: int) -> None:
        for i in range(50):
            r = publisher.publish(message(f"/shared/{i}", f"same {i}"))
            publisher.publish(message(f"/t{n}/{i}", f"mine {n} {i}"))
            with lock:
                results.append(r.already_archived)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(False) == 50  # each shared key created exactly once
    assert len(os.listdir(tmp_path / "shared")) == 50
    assert (tmp_path / "t3" / "49").read_text() == "mine 3 49"


def test_unencodable_payload_and_non_string_path_are_clear_errors(tmp_path: Path) -> None:
    publisher = DirectoryPublisher(tmp_path)
    with pytest.raises(PublishError, match="lone surrogate") as caught:
        publisher.publish(message("k", "bad\ud800text"))
    assert caught.value.code == "InvalidPayload"
    with pytest.raises(InvalidKeyError, match="must be a string"):
        publisher.publish(ExternalMessage(headers={"http.path": 7}, text_payload="x"))  # type: ignore[dict-item]
    assert not any(tmp_path.iterdir())  # no temp file left behind


def test_flush_durably_syncs_the_file_system_once_per_batch_of_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mapper.publish.directory as directory_module

    synced: list[str] = []
    real_sync = directory_module._sync_file_system

    def recording_sync(path: str) -> None:  # the real syncfs(2), observed
        synced.append(path)
        real_sync(path)

    monkeypatch.setattr(directory_module, "_sync_file_system", recording_sync)
    publisher = DirectoryPublisher(tmp_path)
    publisher.flush_durably()
    assert synced == []  # nothing written, nothing to sync
    for i in range(3):
        publisher.publish(message(f"/k{i}"))
    publisher.flush_durably()
    publisher.flush_durably()
    assert synced == [os.path.realpath(tmp_path)]  # one sync covers all three, and only once
    publisher.publish(message("/k3"))
    publisher.flush_durably()
    assert len(synced) == 2
    # with fsync=True every object is already durable when publish returns
    eager = DirectoryPublisher(tmp_path / "eager", fsync=True)
    eager.publish(message("/k"))
    eager.flush_durably()
    assert len(synced) == 2
