"""Disclosure control: which survey figures may be released, and how they are rounded.

The rules are small on purpose (see docs/survey.md):
- an agency's figures are released once, when its link closes (the cycle closes), never live;
- only from `minimum` counted responses (set-aside responses never count);
- every released count is rounded to the nearest multiple of BASE, so cells of 1 or 2 show as 0;
- a role or length-of-service band is shown only with `minimum` responses of its own;
- sector and partnership totals pool only agencies whose own figures are released.
"""

from __future__ import annotations

BASE = 5
SHARE_STEP = 0.05  # released agreement shares are rounded to 5 percentage points
SMALL_BANDS = "not_shown"  # bands with too few responses are counted together under this key


def rounded(count: int, base: int = BASE) -> int:
    """`count` to the nearest multiple of `base`, halves up (1 and 2 become 0, 3 to 7 become 5)."""
    return (count + base // 2) // base * base


def rounded_share(share: float, step: float = SHARE_STEP) -> float:
    """A share to the nearest `step` (0.43 -> 0.45)."""
    return round(round(share / step) * step, 4)


def releasable(responses: int, *, closed: bool, minimum: int) -> bool:
    """Whether an agency's (or a group's) figures may be released."""
    return closed and responses >= minimum


def merged_bands(counts: dict[str, int], *, minimum: int) -> dict[str, int]:
    """Bands with fewer than `minimum` responses counted together, then every count rounded."""
    kept = {band: n for band, n in counts.items() if n >= minimum}
    small = sum(n for band, n in counts.items() if n < minimum)
    if small:
        kept[SMALL_BANDS] = small
    return {band: rounded(n) for band, n in kept.items() if rounded(n)}
