"""The staff console: server-rendered pages served by the API process (docs/console.md)."""
