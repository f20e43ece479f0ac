"""``python -m overparam_utils``: the engine's command line (:mod:`overparam_utils.engine.cli`)."""

import sys

from .engine import skip_slow_imports

skip_slow_imports()

from .engine.cli import main  # noqa: E402

sys.exit(main())
