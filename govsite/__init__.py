"""govsite: static sites for standardized government information-disclosure catalogues."""

__version__ = "0.1.0"
