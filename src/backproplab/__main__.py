"""``python -m backproplab`` runs the same command line as ``backproplab``."""

from backproplab.cli import main

raise SystemExit(main())
