"""Calcinosis Guide build: content/ (YAML) → validated models → Markdown → two MkDocs sites → bundle and PDFs."""
