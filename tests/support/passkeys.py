"""A software authenticator for tests: real WebAuthn attestations ('none' format) and assertions
signed with an EC P-256 key, so the passkeys service checks them with the real library."""

from __future__ import annotations

import hashlib
import json
import secrets
import struct
from dataclasses import dataclass, field
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url

UP, UV, AT = 0x01, 0x04, 0x40


def _b64(data: bytes) -> str:
    return bytes_to_base64url(data)


@dataclass
class SoftAuthenticator:
    """One passkey on one authenticator: its key, id, user handle and signature counter."""

    rp_id: str = "localhost"
    origin: str = "http://localhost"
    key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    credential_id: bytes = field(default_factory=lambda: secrets.token_bytes(16))
    user_handle: bytes | None = None
    sign_count: int = 0
    user_verified: bool = True

    def _cose_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"),
                            -3: numbers.y.to_bytes(32, "big")})

    def _auth_data(self, *, attested: bool) -> bytes:
        flags = UP | (UV if self.user_verified else 0) | (AT if attested else 0)
        data = hashlib.sha256(self.rp_id.encode()).digest() + bytes([flags])
        data += struct.pack(">I", self.sign_count)
        if attested:
            data += bytes(16) + struct.pack(">H", len(self.credential_id))
            data += self.credential_id + self._cose_key()
        return data

    def _client_data(self, kind: str, challenge: str) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": self.origin,
                           "crossOrigin": False}).encode()

    def create(self, options: str | dict[str, Any]) -> str:
        """navigator.credentials.create: the registration credential, as the browser's JSON."""
        opts = json.loads(options) if isinstance(options, str) else options
        self.user_handle = base64url_to_bytes(opts["user"]["id"])
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {},
                                   "authData": self._auth_data(attested=True)})
        return json.dumps({
            "id": _b64(self.credential_id), "rawId": _b64(self.credential_id),
            "type": "public-key", "clientExtensionResults": {},
            "response": {"clientDataJSON": _b64(self._client_data("webauthn.create",
                                                                  opts["challenge"])),
                         "attestationObject": _b64(attestation), "transports": ["internal"]}})

    def get(self, options: str | dict[str, Any], *, count_up: bool = True) -> str:
        """navigator.credentials.get: an assertion signed with the passkey's key."""
        opts = json.loads(options) if isinstance(options, str) else options
        if count_up:
            self.sign_count += 1
        auth_data = self._auth_data(attested=False)
        client_data = self._client_data("webauthn.get", opts["challenge"])
        signature = self.key.sign(auth_data + hashlib.sha256(client_data).digest(),
                                  ec.ECDSA(hashes.SHA256()))
        return json.dumps({
            "id": _b64(self.credential_id), "rawId": _b64(self.credential_id),
            "type": "public-key", "clientExtensionResults": {},
            "response": {"clientDataJSON": _b64(client_data),
                         "authenticatorData": _b64(auth_data), "signature": _b64(signature),
                         "userHandle": _b64(self.user_handle) if self.user_handle else None}})


def challenge_of(options: str) -> bytes:
    return base64url_to_bytes(json.loads(options)["challenge"])


def for_app(app: Any) -> SoftAuthenticator:
    """A software authenticator for the app's relying party (its base URL, or the overrides)."""
    from portal.services.passkeys import RelyingParty

    rp = RelyingParty.from_config(app.config)
    return SoftAuthenticator(rp_id=rp.id, origin=rp.origins[0])


def post_json(client: Any, url: str, csrf: str, body: dict[str, Any] | None = None) -> Any:
    """What passkeys.js does: a JSON post with the page's CSRF token in a header."""
    return client.post(url, json=body or {}, headers={"X-CSRFToken": csrf})
