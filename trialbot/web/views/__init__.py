"""The triage app's pages, one module per concern."""
