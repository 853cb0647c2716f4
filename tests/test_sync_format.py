"""The package format on its own: round trip, limits, and random or mutated files fed to the reader."""

from __future__ import annotations

import contextlib
import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from povcase.errors import PovcaseError
from povcase.sync.keys import load_or_create, read_public_key
from povcase.sync.package import (
    DEFAULT_LIMITS,
    Limits,
    PackageError,
    RecordFile,
    open_package,
    read_ack,
    write_ack,
    write_package,
)

TYPES = ("hamlet", "household")
FIELDS = ("uuid", "revision", "name")


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    base = tmp_path_factory.mktemp("keys")
    return load_or_create(base / "commune"), load_or_create(base / "office")


def _package(path: Path, keys, rows: int = 3) -> Path:  # type: ignore[no-untyped-def]
    commune, office = keys
    manifest = {"commune": {"code": "29461", "name": "Xã Trà Cú", "province_code": "86"}, "sequence": 1,
                "kind": "full", "schema_version": "0006", "created_at": "2026-11-22T00:00:00Z", "installation": "x"}
    files = [RecordFile(t, FIELDS, [[f"{i:032x}", 1, f"Tên {t} số {i}\nxuống dòng"] for i in range(rows)])
             for t in TYPES]
    write_package(path, manifest, files, commune, office.public("office", "86", "UBND"))
    return path


def _read(path: Path, keys, limits: Limits = DEFAULT_LIMITS) -> dict[str, RecordFile]:  # type: ignore[no-untyped-def]
    commune, office = keys
    pkg = open_package(path, limits)
    pkg.verify(commune.public("commune", "29461", ""), TYPES)
    return pkg.decrypt(office.box_private, office.fingerprint)


def test_round_trip_keeps_every_value(tmp_path: Path, keys) -> None:  # type: ignore[no-untyped-def]
    files = _read(_package(tmp_path / "p.povsync", keys), keys)
    assert files["household"].fields == FIELDS
    assert files["household"].rows[2] == [f"{2:032x}", 1, "Tên household số 2\nxuống dòng"]
    with zipfile.ZipFile(tmp_path / "p.povsync") as zf:
        names = sorted(zf.namelist())
        assert names == ["hamlet.jsonl.enc", "household.jsonl.enc", "manifest.json", "manifest.sig"]
        # The records are encrypted: no name can be read from the file.
        assert "Tên".encode() not in zf.read("household.jsonl.enc")


def test_the_payload_opens_only_with_the_office_key(tmp_path: Path, keys) -> None:  # type: ignore[no-untyped-def]
    commune, office = keys
    stranger = load_or_create(tmp_path / "stranger")
    pkg = open_package(_package(tmp_path / "p.povsync", keys))
    with pytest.raises(PackageError, match="another office"):
        pkg.decrypt(stranger.box_private, stranger.fingerprint)
    # Even if the fingerprint check is fooled, the decryption itself fails.
    with pytest.raises(PackageError, match="damaged"):
        pkg.decrypt(stranger.box_private, office.fingerprint)


def test_the_inflated_size_is_limited_while_reading(tmp_path: Path, keys) -> None:  # type: ignore[no-untyped-def]
    path = _package(tmp_path / "p.povsync", keys, rows=5000)
    with pytest.raises(PackageError, match="zip bomb"):
        _read(path, keys, Limits(plain_ratio=1, slack=0))
    assert _read(path, keys)["hamlet"].rows  # the default limits let an honest package through


def test_an_ack_of_a_refused_package_is_version_2_so_older_readers_refuse_it(  # type: ignore[no-untyped-def]
        tmp_path: Path, keys) -> None:
    _commune, office = keys
    public = office.public("office", "86", "UBND")
    write_ack(tmp_path / "applied.povack", {"status": "applied", "sequence": 1}, office)
    write_ack(tmp_path / "refused.povack", {"status": "refused", "sequence": 1, "reason": {"msgid": "x"}}, office)
    assert read_ack(tmp_path / "applied.povack", public)["format_version"] == 1
    assert read_ack(tmp_path / "refused.povack", public)["format_version"] == 2
    write_ack(tmp_path / "odd.povack", {"status": "half-applied", "sequence": 1}, office)
    with pytest.raises(PackageError, match="newer povcase"):
        read_ack(tmp_path / "odd.povack", public)


def test_key_files_round_trip_and_refuse_anything_else(tmp_path: Path, keys) -> None:  # type: ignore[no-untyped-def]
    commune, _ = keys
    public = commune.public("commune", "29461", "Xã Trà Cú")
    public.write(tmp_path / "k.json")
    again = read_public_key(tmp_path / "k.json")
    assert again == public and again.fingerprint == commune.fingerprint
    (tmp_path / "bad.json").write_text('{"format": "povcase-public-key", "version": 1, "role": "commune"}')
    with pytest.raises(PovcaseError, match="public key"):
        read_public_key(tmp_path / "bad.json")


# --- fuzzing: nothing but PovcaseError may come out of the reader -------------------------------------
def _feed(path: Path, keys) -> None:  # type: ignore[no-untyped-def]
    with contextlib.suppress(PovcaseError):
        _read(path, keys)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=4096))
def test_random_bytes_never_crash_the_reader(tmp_path: Path, keys, data: bytes) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "random.povsync"
    path.write_bytes(data)
    _feed(path, keys)


@pytest.fixture(scope="module")
def good_bytes(tmp_path_factory: pytest.TempPathFactory, keys) -> bytes:  # type: ignore[no-untyped-def]
    return _package(tmp_path_factory.mktemp("good") / "good.povsync", keys).read_bytes()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=255)), min_size=1,
                      max_size=4),
       cut=st.one_of(st.none(), st.integers(min_value=0)))
def test_mutated_packages_never_crash_the_reader(tmp_path: Path, keys, good_bytes: bytes,  # type: ignore[no-untyped-def]
                                                 edits: list[tuple[int, int]], cut: int | None) -> None:
    data = bytearray(good_bytes)
    for at, value in edits:
        data[at % len(data)] = value
    if cut is not None:
        data = data[: cut % len(data)]
    path = tmp_path / "mutated.povsync"
    path.write_bytes(bytes(data))
    _feed(path, keys)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(manifest=st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                             lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                                           max_size=6), max_leaves=20),
       members=st.dictionaries(st.text(min_size=1, max_size=30), st.binary(max_size=64), max_size=4))
def test_random_zips_with_random_manifests_never_crash_the_reader(tmp_path: Path, keys,  # type: ignore[no-untyped-def]
                                                                  manifest: object, members: dict[str, bytes]) -> None:
    import json

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("manifest.json", json.dumps(manifest))
        zf.writestr("manifest.sig", b"00" * 64)
        for name, data in members.items():
            if name not in ("manifest.json", "manifest.sig"):
                zf.writestr(name, data)
    path = tmp_path / "random-zip.povsync"
    path.write_bytes(buf.getvalue())
    _feed(path, keys)
