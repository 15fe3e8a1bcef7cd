"""API key material: generated from 128 random bits, stored only as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass


@dataclass(frozen=True)
class NewKey:
    key: str
    key_hash: str
    hint: str


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def generate_key(prefix: str) -> NewKey:
    key = prefix + secrets.token_hex(16)
    return NewKey(key=key, key_hash=hash_key(key), hint=key[-4:])
