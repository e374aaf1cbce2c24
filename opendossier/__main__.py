import sys

from opendossier.cli import main

sys.exit(main())
