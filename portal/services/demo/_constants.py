"""What the demo's modules and its users share: the accounts' domain and password."""

from __future__ import annotations

# The published demo password (README), accepted in bandit-findings.md.
DEMO_PASSWORD = "compact-audit-demo"  # nosec B105
DEMO_DOMAIN = "demo.example.org"
