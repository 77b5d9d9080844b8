"""The pathways service: the language and placement pathway of each client."""
import chassis  # noqa: F401
