"""Key pairs of an installation and the public-key files the two sides exchange.

Each installation has an Ed25519 key (it signs what it sends) and an X25519 key (packages for it are
encrypted to it). The private halves live in the data folder's `keys/` (mode 0600) and nowhere else:
not in the database, so neither its backups nor a copied register carry them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from povcase.errors import N_, PovcaseError

KEY_FILE_FORMAT = "povcase-public-key"
KEY_FILE_VERSION = 1
SIGN_FILE = "sign.key"
BOX_FILE = "box.key"
ROLES = ("commune", "office")
_MAX_KEY_FILE = 64 * 1024


def _raw_private(key: Ed25519PrivateKey | X25519PrivateKey) -> bytes:
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def _raw_public(key: Ed25519PublicKey | X25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def fingerprint(sign_public: bytes, box_public: bytes) -> str:
    """What two people read to each other on the phone: 32 hex digits in groups of four."""
    digest = hashlib.sha256(b"povcase-key\0" + sign_public + box_public).hexdigest()[:32].upper()
    return " ".join(digest[i:i + 4] for i in range(0, 32, 4))


@dataclass(frozen=True)
class PublicKey:
    role: str  # commune | office
    code: str  # the commune's code, or the office's province code
    name: str
    sign: bytes
    box: bytes

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.sign, self.box)

    def verify(self, signature: bytes, data: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.sign).verify(signature, data)
        except (InvalidSignature, ValueError):
            return False
        return True

    def to_json(self) -> dict[str, Any]:
        return {"format": KEY_FILE_FORMAT, "version": KEY_FILE_VERSION, "role": self.role, "code": self.code,
                "name": self.name, "sign_public": self.sign.hex(), "box_public": self.box.hex(),
                "fingerprint": self.fingerprint}

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def read_public_key(path: Path) -> PublicKey:
    """A key file the other side exported; refuses anything that is not exactly one."""
    try:
        with path.open("rb") as fh:
            raw = fh.read(_MAX_KEY_FILE + 1)
    except OSError as e:
        raise PovcaseError(N_("Cannot read the file: {error}"), error=e.strerror or str(e)) from None
    try:
        if len(raw) > _MAX_KEY_FILE:
            raise ValueError
        data = json.loads(raw.decode("utf-8"))
        if not isinstance(data, dict) or data.get("format") != KEY_FILE_FORMAT:
            raise ValueError
        if data.get("version") != KEY_FILE_VERSION or data.get("role") not in ROLES:
            raise ValueError
        code, name = data.get("code"), data.get("name", "")
        if not isinstance(code, str) or not code.isdigit() or len(code) not in (2, 5) or not isinstance(name, str):
            raise ValueError
        sign, box = bytes.fromhex(data["sign_public"]), bytes.fromhex(data["box_public"])
        if len(sign) != 32 or len(box) != 32:
            raise ValueError
        Ed25519PublicKey.from_public_bytes(sign)
        X25519PublicKey.from_public_bytes(box)
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise PovcaseError(N_("Not a povcase public key file")) from None
    return PublicKey(data["role"], code, name, sign, box)


@dataclass(frozen=True)
class KeyPair:
    """This installation's private keys (kept in memory only as long as a task needs them)."""

    sign_private: Ed25519PrivateKey
    box_private: X25519PrivateKey

    def public(self, role: str, code: str, name: str) -> PublicKey:
        return PublicKey(role, code, name, _raw_public(self.sign_private.public_key()),
                         _raw_public(self.box_private.public_key()))

    def sign(self, data: bytes) -> bytes:
        return self.sign_private.sign(data)

    @property
    def fingerprint(self) -> str:
        return fingerprint(_raw_public(self.sign_private.public_key()), _raw_public(self.box_private.public_key()))


def _write_private(path: Path, data: bytes) -> None:
    # Created with 0600 from the start: there is no moment when another user could read it.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, data.hex().encode("ascii") + b"\n")
    finally:
        os.close(fd)


def _read_private(path: Path) -> bytes:
    raw = bytes.fromhex(path.read_text(encoding="ascii").strip())
    if len(raw) != 32:
        raise ValueError(path)
    return raw


def load_or_create(keys_dir: Path) -> KeyPair:
    """This installation's keys, made the first time they are needed (setup, or an older register)."""
    keys_dir.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):  # Windows and some shares ignore modes; the folder is the user's own
        os.chmod(keys_dir, 0o700)
    sign_path, box_path = keys_dir / SIGN_FILE, keys_dir / BOX_FILE
    if not sign_path.exists() and not box_path.exists():
        _write_private(sign_path, _raw_private(Ed25519PrivateKey.generate()))
        _write_private(box_path, _raw_private(X25519PrivateKey.generate()))
    try:
        return KeyPair(Ed25519PrivateKey.from_private_bytes(_read_private(sign_path)),
                       X25519PrivateKey.from_private_bytes(_read_private(box_path)))
    except (OSError, ValueError):
        raise PovcaseError(N_("The keys in {folder} are damaged or missing; restore them from a copy"),
                           folder=str(keys_dir)) from None
