"""`python -m projections`: an alias of `python -m infrastructure.readstore` (the read-model process).

An entry point, not part of the package: nothing imports it, so it may reach into infrastructure without a cycle
(tests/unit/test_dependency_direction.py allows exactly this).
"""

from __future__ import annotations

import sys

from infrastructure.readstore.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
