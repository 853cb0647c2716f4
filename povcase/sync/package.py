"""The `.povsync` file: a zip with a signed manifest and one encrypted JSON-lines file per record type.

Writing: rows → JSON lines → SHA-256 → zlib → AES-256-GCM under a key agreed with X25519 (an ephemeral
key of the sender and the office's key) through HKDF-SHA256; the manifest names every file with its
hash, size, record count and nonce, and is signed with the commune's Ed25519 key.

Reading refuses, before anything is written anywhere: a file that is not a zip or is cut short, member
names that are paths (`../x`, `/x`, `a/b`, `C:x`), duplicate, missing or extra members, more bytes than
the limits allow (counted while inflating, never taken from the zip headers), a manifest of a newer
format or schema, a bad signature, a payload for another key, and any file whose hash, size or record
count differs from the manifest. See docs/sync-format.md.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from povcase.errors import N_, PovcaseError
from povcase.sync.keys import KeyPair, PublicKey

FORMAT = "povcase-sync"
FORMAT_VERSION = 1
ACK_FORMAT = "povcase-sync-ack"
# Acknowledgements of a package applied stay version 1; one saying a package was refused or held is
# version 2, so that an older povcase at the commune refuses it ("update povcase") instead of reading it
# as an acknowledgement that accepts every record.
ACK_VERSION = 2
ACK_STATUSES = ("applied", "refused", "held")
SUFFIX = ".povsync"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
SCHEME = "X25519-HKDF-SHA256-AES256GCM"
KINDS = ("full", "incremental")
_HKDF_INFO = b"povcase-sync 1 payload"
_CHUNK = 1 << 20


class PackageError(PovcaseError):
    """The package (or acknowledgement) cannot be used; nothing was written."""


@dataclass(frozen=True)
class Limits:
    """How much a package may unpack to. The zip holds ciphertext, which does not compress, so a zip
    member inflating to more than `zip_ratio` times the whole file is a bomb; the JSON inside compresses
    about tenfold, hence the looser `plain_ratio`."""

    max_package: int = 1 << 30
    max_manifest: int = 1 << 20
    zip_ratio: int = 4
    plain_ratio: int = 100
    max_plain: int = 4 << 30
    slack: int = 1 << 16  # small packages: headers and signature dominate


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class RecordFile:
    """One record type: the field names (every row has exactly these, in this order) and the rows."""

    record_type: str
    fields: tuple[str, ...]
    rows: Sequence[Sequence[Any]]


def canonical_json(value: Any) -> bytes:
    """The bytes that are hashed and signed: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _payload_key(shared: bytes, ephemeral_public: bytes, recipient_public: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=ephemeral_public + recipient_public,
                info=_HKDF_INFO).derive(shared)


def _aad(name: str, sha256: str) -> bytes:
    # Binds each ciphertext to its file name and hash: files cannot be swapped between types.
    return f"{name}\0{sha256}".encode("ascii")


def encode_records(record_type: str, fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> tuple[bytes, int]:
    """JSON lines: a header object naming the fields, then one JSON array per record."""
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode
    parts = [dumps({"type": record_type, "fields": list(fields)})]
    n = 0
    for row in rows:
        parts.append(dumps(list(row)))
        n += 1
    parts.append("")
    return "\n".join(parts).encode("utf-8"), n


def write_package(path: Path, manifest: Mapping[str, Any], files: Sequence[RecordFile], sender: KeyPair,
                  recipient: PublicKey) -> tuple[dict[str, Any], str]:
    """Write the package atomically (a .part file renamed at the end); returns the full manifest and the
    file's SHA-256. `manifest` holds the commune, sequence, kind and the other descriptive fields."""
    ephemeral = X25519PrivateKey.generate()
    eph_public = ephemeral.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    key = _payload_key(ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient.box)), eph_public,
                       recipient.box)
    aead = AESGCM(key)
    entries: dict[str, Any] = {}
    blobs: list[tuple[str, bytes]] = []
    for f in files:
        plain, n = encode_records(f.record_type, f.fields, f.rows)
        sha = hashlib.sha256(plain).hexdigest()
        name = f"{f.record_type}.jsonl"
        nonce = os.urandom(12)
        blobs.append((f"{name}.enc", aead.encrypt(nonce, zlib.compress(plain, 6), _aad(name, sha))))
        entries[f.record_type] = {"name": name, "stored": f"{name}.enc", "sha256": sha, "bytes": len(plain),
                                  "records": n, "nonce": nonce.hex()}
    full = dict(manifest)
    full.update(format=FORMAT, format_version=FORMAT_VERSION, files=entries,
                counts={t: e["records"] for t, e in entries.items()},
                sender={"fingerprint": sender.fingerprint},
                recipient={"code": recipient.code, "fingerprint": recipient.fingerprint},
                encryption={"scheme": SCHEME, "ephemeral_public": eph_public.hex()})
    manifest_bytes = canonical_json(full)
    part = path.with_name(path.name + ".part")
    with zipfile.ZipFile(part, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr(zipfile.ZipInfo(MANIFEST, (2026, 1, 1, 0, 0, 0)), manifest_bytes, zipfile.ZIP_DEFLATED)
        zf.writestr(zipfile.ZipInfo(SIGNATURE, (2026, 1, 1, 0, 0, 0)), sender.sign(manifest_bytes).hex())
        for name, blob in blobs:
            zf.writestr(zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0)), blob)
    os.replace(part, path)
    return full, file_sha256(path)


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


# --- reading -----------------------------------------------------------------------------------------
def _bad(msgid: str, **params: Any) -> PackageError:
    return PackageError(msgid, **params)


def _safe_name(name: str) -> bool:
    return (bool(name) and len(name) <= 80 and "/" not in name and "\\" not in name and ":" not in name
            and ".." not in name and not name.startswith(".") and name.isprintable())


def _need(obj: Any, key: str, kind: type | tuple[type, ...]) -> Any:
    value = obj.get(key) if isinstance(obj, dict) else None
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise _bad(N_("The package's manifest is damaged: {field}"), field=key)
    return value


@dataclass
class OpenedPackage:
    """A package read into memory within the limits, its manifest parsed but nothing yet trusted."""

    path: Path
    sha256: str
    size: int
    manifest: dict[str, Any]
    manifest_bytes: bytes
    signature: bytes
    members: dict[str, bytes] = field(repr=False)
    limits: Limits = DEFAULT_LIMITS

    @property
    def commune_code(self) -> str:
        return str(self.manifest["commune"]["code"])

    @property
    def sequence(self) -> int:
        return int(self.manifest["sequence"])

    @property
    def kind(self) -> str:
        return str(self.manifest["kind"])

    def verify(self, sender: PublicKey, record_types: Sequence[str]) -> None:
        """The signature against the commune's registered key, then the set of files it names."""
        if not sender.verify(self.signature, self.manifest_bytes):
            raise _bad(N_("The package's signature does not match the key registered for commune {code}; "
                          "it was changed or signed by someone else"), code=self.commune_code)
        files = _need(self.manifest, "files", dict)
        if set(files) != set(record_types):
            unknown = sorted(set(files) - set(record_types))
            missing = sorted(set(record_types) - set(files))
            raise _bad(N_("The package's manifest lists other record types than this version knows "
                          "(unknown: {unknown}; missing: {missing})"),
                       unknown=", ".join(unknown) or "-", missing=", ".join(missing) or "-")
        stored: set[str] = set()  # the manifest and signature were taken out when the package was opened
        for rtype, entry in files.items():
            name = _need(entry, "stored", str)
            if name != f"{rtype}.jsonl.enc":
                raise _bad(N_("The package's manifest is damaged: {field}"), field=f"files.{rtype}")
            for key in ("sha256", "nonce", "name"):
                _need(entry, key, str)
            for key in ("bytes", "records"):
                if _need(entry, key, int) < 0:
                    raise _bad(N_("The package's manifest is damaged: {field}"), field=f"files.{rtype}.{key}")
            stored.add(name)
        extra, missing_members = sorted(set(self.members) - stored), sorted(stored - set(self.members))
        if missing_members:
            raise _bad(N_("The package is incomplete: {names} missing"), names=", ".join(missing_members))
        if extra:
            raise _bad(N_("The package holds files it should not: {names}"), names=", ".join(extra))

    def decrypt(self, own_box: X25519PrivateKey, own_fingerprint: str) -> dict[str, RecordFile]:
        """Every record file, decrypted, inflated within the limits and checked against the manifest."""
        recipient = _need(self.manifest, "recipient", dict)
        if recipient.get("fingerprint") != own_fingerprint:
            raise _bad(N_("The package was encrypted for another office (key {fingerprint}); ask the commune "
                          "to register this office's key and export again"),
                       fingerprint=str(recipient.get("fingerprint"))[:39])
        enc = _need(self.manifest, "encryption", dict)
        if enc.get("scheme") != SCHEME:
            raise _bad(N_("The package's manifest is damaged: {field}"), field="encryption.scheme")
        try:
            eph = bytes.fromhex(_need(enc, "ephemeral_public", str))
            own_public = own_box.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
            key = _payload_key(own_box.exchange(X25519PublicKey.from_public_bytes(eph)), eph, own_public)
        except ValueError:
            raise _bad(N_("The package's manifest is damaged: {field}"), field="encryption") from None
        aead = AESGCM(key)
        budget = min(self.limits.max_plain, self.limits.plain_ratio * self.size + self.limits.slack)
        out: dict[str, RecordFile] = {}
        for rtype, entry in self.manifest["files"].items():
            name = entry["name"]
            try:
                compressed = aead.decrypt(bytes.fromhex(entry["nonce"]), self.members[entry["stored"]],
                                          _aad(name, entry["sha256"]))
            except (InvalidTag, ValueError):
                raise _bad(N_("The file {name} in the package is damaged or was changed"), name=name) from None
            plain = _inflate(compressed, min(budget, entry["bytes"]) + 1, name)
            budget -= len(plain)
            if len(plain) != entry["bytes"] or hashlib.sha256(plain).hexdigest() != entry["sha256"]:
                raise _bad(N_("The file {name} does not match the hash in the manifest"), name=name)
            out[rtype] = _decode_records(plain, rtype, entry["records"], name)
        return out


def _inflate(data: bytes, cap: int, name: str) -> bytes:
    d = zlib.decompressobj()
    parts, total = [], 0
    try:
        buf = d.decompress(data, _CHUNK)
        while True:
            parts.append(buf)
            total += len(buf)
            if total >= cap:
                raise _bad(N_("The file {name} in the package unpacks to more than allowed (zip bomb?)"), name=name)
            if not d.unconsumed_tail:
                break
            buf = d.decompress(d.unconsumed_tail, _CHUNK)
        parts.append(d.flush())
    except zlib.error:
        raise _bad(N_("The file {name} in the package is damaged or was changed"), name=name) from None
    if not d.eof or d.unused_data:
        raise _bad(N_("The file {name} in the package is damaged or was changed"), name=name)
    return b"".join(parts)


def _no_constant(name: str) -> Any:
    raise ValueError(name)  # NaN and Infinity are not JSON


def _decode_records(plain: bytes, rtype: str, expected: int, name: str) -> RecordFile:
    try:
        text = plain.decode("utf-8")
        head, _, body = text.partition("\n")
        header = json.loads(head)
        fields = tuple(_need(header, "fields", list))
        if header.get("type") != rtype or not all(isinstance(f, str) for f in fields):
            raise ValueError
        body = body.rstrip("\n")
        # JSON strings never hold a raw newline, so the lines joined by commas are one JSON array.
        rows = json.loads(f"[{body.replace(chr(10), ',')}]", parse_constant=_no_constant) if body else []
    except (ValueError, PackageError, RecursionError):
        raise _bad(N_("The file {name} in the package is not valid JSON lines"), name=name) from None
    n = len(fields)
    if len(rows) != expected:
        raise _bad(N_("The file {name} holds {found} records; the manifest says {expected}"), name=name,
                   found=len(rows), expected=expected)
    # Checked with C loops (map), not row by row in Python: a province imports millions of rows.
    if rows and (set(map(type, rows)) != {list} or set(map(len, rows)) != {n}):
        line = next(i for i, row in enumerate(rows, start=2) if type(row) is not list or len(row) != n)
        raise _bad(N_("Line {line} of {name} does not have the {n} fields of its header"), line=line, name=name, n=n)
    return RecordFile(rtype, fields, rows)


def open_package(path: Path, limits: Limits = DEFAULT_LIMITS, check: bool = True) -> OpenedPackage:
    """Read the zip within the limits and parse its manifest (format and versions are the caller's).

    `check=False` leaves the manifest's shape and versions to the caller (`check_manifest`), who first
    wants to know whether a registered commune signed it: a refusal is then acknowledged to it."""
    try:
        size = path.stat().st_size
    except OSError as e:
        raise _bad(N_("Cannot read the file: {error}"), error=e.strerror or str(e)) from None
    if size > limits.max_package:
        raise _bad(N_("The package is larger than {mb} MB"), mb=limits.max_package >> 20)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise _bad(N_("Cannot read the file: {error}"), error=e.strerror or str(e)) from None
    sha = hashlib.sha256(raw).hexdigest()
    members: dict[str, bytes] = {}
    budget = limits.zip_ratio * size + limits.slack
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            infos = zf.infolist()
            if len(infos) > 64:
                raise _bad(N_("The package holds files it should not: {names}"), names=f"{len(infos)} files")
            for info in infos:
                name = info.filename
                if not _safe_name(name) or info.is_dir():
                    raise _bad(N_("The package holds a file with a path that is not allowed: {name}"),
                               name=name[:80])
                if name in members:
                    raise _bad(N_("The package holds the file {name} twice"), name=name)
                cap = limits.max_manifest if name in (MANIFEST, SIGNATURE) else budget
                parts, total = [], 0
                with zf.open(info) as fh:
                    while chunk := fh.read(_CHUNK):
                        total += len(chunk)
                        budget -= len(chunk)
                        if total > cap or budget < 0:
                            raise _bad(N_("The file {name} in the package unpacks to more than allowed (zip bomb?)"),
                                       name=name)
                        parts.append(chunk)
                members[name] = b"".join(parts)
    except PackageError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError, NotImplementedError,
            ValueError, zlib.error, UnicodeDecodeError):
        raise _bad(N_("Not a povcase package: the file is not a complete zip archive (cut short or damaged?)")) from None
    if MANIFEST not in members or SIGNATURE not in members:
        raise _bad(N_("The package is incomplete: {names} missing"),
                   names=", ".join(n for n in (MANIFEST, SIGNATURE) if n not in members))
    manifest_bytes = members.pop(MANIFEST)
    try:
        signature = bytes.fromhex(members.pop(SIGNATURE).decode("ascii"))
        manifest = json.loads(manifest_bytes.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise _bad(N_("The package's manifest is damaged: {field}"), field=MANIFEST) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _bad(N_("Not a povcase package: the file is not a complete zip archive (cut short or damaged?)"))
    if check:
        check_manifest(manifest)
    pkg = OpenedPackage(path, sha, size, manifest, manifest_bytes, signature, members, limits)
    return pkg


def check_manifest(m: dict[str, Any]) -> None:
    """Shape and versions; a newer format or schema is refused with what to do."""
    version = _need(m, "format_version", int)
    if version > FORMAT_VERSION:
        raise _bad(N_("The package was made by a newer povcase (format {found}, this one reads {ours}); "
                      "update povcase first"), found=version, ours=FORMAT_VERSION)
    commune = _need(m, "commune", dict)
    code = _need(commune, "code", str)
    if len(code) != 5 or not code.isdigit():
        raise _bad(N_("The package's manifest is damaged: {field}"), field="commune.code")
    _need(commune, "name", str)
    if _need(m, "sequence", int) < 1:
        raise _bad(N_("The package's manifest is damaged: {field}"), field="sequence")
    if m.get("kind") not in KINDS:
        raise _bad(N_("The package's manifest is damaged: {field}"), field="kind")
    for key in ("schema_version", "created_at", "installation"):
        _need(m, key, str)
    _need(m, "files", dict)
    _need(m, "recipient", dict)


# --- acknowledgements -------------------------------------------------------------------------------
def write_ack(path: Path, ack: Mapping[str, Any], office: KeyPair) -> None:
    version = FORMAT_VERSION if ack.get("status", "applied") == "applied" else ACK_VERSION
    body = dict(ack, format=ACK_FORMAT, format_version=version)
    data = {"ack": body, "signature": office.sign(canonical_json(body)).hex()}
    part = path.with_name(path.name + ".part")
    part.write_bytes(canonical_json(data))
    os.replace(part, path)


def read_ack(path: Path, office: PublicKey, max_bytes: int = 256 << 20) -> dict[str, Any]:
    """An acknowledgement, checked against the office's registered key."""
    try:
        with path.open("rb") as fh:
            raw = fh.read(max_bytes + 1)
    except OSError as e:
        raise _bad(N_("Cannot read the file: {error}"), error=e.strerror or str(e)) from None
    try:
        if len(raw) > max_bytes:
            raise ValueError
        data = json.loads(raw.decode("utf-8"))
        body, signature = data["ack"], bytes.fromhex(data["signature"])
        if not isinstance(body, dict) or body.get("format") != ACK_FORMAT:
            raise ValueError
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, RecursionError):
        raise _bad(N_("Not a povcase acknowledgement file")) from None
    if not office.verify(signature, canonical_json(body)):
        raise _bad(N_("The acknowledgement's signature does not match the registered office key"))
    if not isinstance(body.get("format_version"), int) or body["format_version"] > ACK_VERSION \
            or body.get("status", "applied") not in ACK_STATUSES:
        raise _bad(N_("The acknowledgement was made by a newer povcase; update povcase first"))
    return body
