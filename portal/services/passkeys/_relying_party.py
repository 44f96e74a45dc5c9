"""Who the passkeys belong to: the relying party's id (a host name) and the origins it serves."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class RelyingParty:
    """`id` is the host name passkeys are bound to; `origins` are the pages that may use them."""

    id: str
    name: str
    origins: tuple[str, ...]

    @classmethod
    def from_base_url(cls, base_url: str, name: str) -> RelyingParty:
        """The portal's own address (PORTAL_BASE_URL): its host is the id, itself the origin."""
        parts = urlsplit(base_url)
        return cls(id=parts.hostname or "", name=name,
                   origins=(f"{parts.scheme}://{parts.netloc}",))

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> RelyingParty:
        """PASSKEY_RP_ID and PASSKEY_ORIGIN override what the base URL says (a test server on
        another port; browsers refuse an IP address such as 127.0.0.1 as an id)."""
        derived = cls.from_base_url(config["SERVER_NAME_FOR_LINKS"], config["PARTNERSHIP_NAME"])
        origin = config.get("PASSKEY_ORIGIN")
        return cls(id=config.get("PASSKEY_RP_ID") or derived.id, name=derived.name,
                   origins=(origin,) if origin else derived.origins)
