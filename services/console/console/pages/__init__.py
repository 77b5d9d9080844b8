"""The console's pages, one module per kind of user (each a mixin of console.service.ConsoleService)."""
