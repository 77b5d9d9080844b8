"""Integration contracts: the schemas of every message and HTTP body the services exchange.

The only package services share besides ``chassis``. Nothing executable beyond marshmallow.
"""
