"""Adapters: event store, read store, bus, devices, signing, notifications."""

import warnings

# pyhanko imports cryptography's DSA key types to recognise them, and cryptography 51 warns on that import. We never
# make or accept DSA keys; the warning, printed before a server's JSON logging starts, broke its log of JSON lines.
warnings.filterwarnings("ignore", message="DSA is deprecated", module="pyhanko")
