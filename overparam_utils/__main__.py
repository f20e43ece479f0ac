"""``python -m overparam_utils``: the engine's command line (:mod:`overparam_utils.engine.cli`)."""

import sys

from .engine.cli import main

sys.exit(main())
