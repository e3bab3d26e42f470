"""Tamper evidence over the event store: a hash chain with signed checkpoints, evidence bundles, replay checks.

See docs/AUDIT.md. `links` and `offline` need only the standard library and `cryptography`, so an auditor can
verify a bundle without the rest of the system.
"""
