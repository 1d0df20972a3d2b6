import sys

from sdg_ci.cli import main

sys.exit(main())
