"""Key registry: new / duplicate / collision, origins, growth."""

from __future__ import annotations

from mapper.replay.keys import ClaimResult, KeyRegistry


def test_new_duplicate_collision_and_origin() -> None:
    registry = KeyRegistry()
    assert registry.claim("a/b", b"digest-1", source="in.jsonl", line=3) is ClaimResult.NEW
    assert registry.claim("a/b", b"digest-1", source="in.jsonl", line=9) is ClaimResult.DUPLICATE
    assert registry.claim("a/b", b"digest-2", source="in.jsonl", line=10) is ClaimResult.COLLISION
    assert registry.describe_origin("a/b") == "in.jsonl:3"  # the first claim stays the origin
    assert registry.origin_of("never") is None
    assert registry.claim("unlocated", b"d") is ClaimResult.NEW
    assert registry.describe_origin("unlocated") == "an earlier event in this run"


def test_growth_keeps_every_claim() -> None:
    registry = KeyRegistry(initial_capacity=8)
    n = 20_000
    for i in range(n):
        claimed = registry.claim(f"thing:{i}", i.to_bytes(8, "little"), source=f"f{i % 3}", line=i)
        assert claimed is ClaimResult.NEW
    assert len(registry) == n
    assert registry.capacity >= 2 * n
    for i in range(0, n, 97):
        assert registry.claim(f"thing:{i}", i.to_bytes(8, "little")) is ClaimResult.DUPLICATE
        assert registry.claim(f"thing:{i}", b"other") is ClaimResult.COLLISION
        assert registry.origin_of(f"thing:{i}") == (f"f{i % 3}", i)


def test_keys_with_lone_surrogates_do_not_crash() -> None:
    registry = KeyRegistry()
    assert registry.claim("caf\udce9", b"x") is ClaimResult.NEW
    assert registry.claim("caf\udce9", b"x") is ClaimResult.DUPLICATE
