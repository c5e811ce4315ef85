"""Montage Run: the domain core of a self-guided tour of the *Rocky* (1976) training montage.

The core knows the stops, the street network, routes, GPX and maps. It imports no web
framework: ``routes/`` wraps it in Flask, and a test proves the core stays independent.
"""

__version__ = "0.1.0"
