"""What the demo's modules and its users share: the accounts' domain and password."""

from __future__ import annotations

# The published demo password (README), accepted in bandit-findings.md.
DEMO_PASSWORD = "compact-audit-demo"  # nosec B105
DEMO_DOMAIN = "demo.example.org"
# The published demo authenticator key (README): every demo manager, committee member and
# moderator has it set up, so `make run` works with any authenticator app. Not in production,
# where the demo accounts have no password and no second factor.
DEMO_TOTP_KEY = "DEMOAUDITDEMOAUDITDEMOAUDITDEMOA"  # nosec B105
