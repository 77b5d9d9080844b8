"""The console: server-rendered pages (GOV.UK Design System) over the four services' documented HTTP APIs.

It owns no case data and holds no privilege of its own: each signed-in person's calls are made with that
person's own API credential (issued to their staff id), so every page is checked by the service that owns
the data, under the same access policy as the API (docs/console.md).
"""
