"""`python -m povcase` does what the `povcase` command does."""

import sys

from povcase.cli import main

sys.exit(main())
