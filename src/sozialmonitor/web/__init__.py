"""The web app: pages and the JSON API, both on the public read gate."""
