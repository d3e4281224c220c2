"""``python -m submissions.bundles check BUNDLE``: the validator without installing anything."""

import sys

from .cli import main

sys.exit(main())
