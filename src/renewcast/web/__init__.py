"""The web layer: server-rendered pages, a JSON API and a static site build."""

from renewcast.web.app import create_app

__all__ = ["create_app"]
