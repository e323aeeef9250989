"""audioguide: a written guide in, an accessible multilingual narrated audio guide out."""

import logging

__version__ = "0.2.0"

# The package logs; whoever runs it decides what is shown (the CLI: --verbose, --quiet).
logging.getLogger(__name__).addHandler(logging.NullHandler())
