"""audioguide: a written guide in, an accessible multilingual narrated audio guide out."""

__version__ = "0.1.0"
