"""The citizen's screen: a local web page (static/) and the small JSON API it polls and posts to (server.py)."""
