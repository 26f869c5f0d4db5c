"""The Backpropagation Laboratory: a local web app that trains networks with backproplab.

``backproplab lab`` serves it; :func:`create_app` is the Starlette application (used by the
tests), and the page under ``static/`` talks to it over one WebSocket per tab. :func:`show`
puts it in a notebook cell.
"""

from backproplab.lab.app import create_app
from backproplab.lab.notebook import show
from backproplab.lab.server import make_server, serve

__all__ = ["create_app", "make_server", "serve", "show"]
