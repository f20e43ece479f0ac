"""``python -m overparam_utils``: see :mod:`overparam_utils.cli`."""

import sys

from .cli import main

sys.exit(main())
