"""The guide build (any guide folder; this one's is content/): content/ (YAML) → validated models → Markdown → two MkDocs sites → bundle and PDFs."""
