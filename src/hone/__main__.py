"""`python -m hone`."""

from __future__ import annotations

import sys

from hone.cli import main

sys.exit(main())
