"""Content: the schema of content/ and the loader that turns it into one validated `Guide`.

Every mistake becomes a `ContentError` that knows its file, line and field; `load_guide` gathers all of them
before raising, so an editor sees every problem of a run at once, like a compiler. One job per module:
`text` (bilingual text and its rules), `schema` (the models), `files` (the table of content files), `source`
(YAML with line numbers), `messages` (errors in an editor's words), `crosscheck` (ids and the chart), `loader`.
"""
from .errors import ContentError, ContentErrors
from .files import CONTENT_FILES, TREATMENTS_DIR, model_of, page_last_reviewed
from .loader import load_document, load_guide
from .messages import validate_model
from .schema import *  # noqa: F403 - the models are the package's public vocabulary
from .source import Location, SourceFile
from .text import CITATION, LANGS, Lang, Model, PlainText, Prose, Text, Words, cited_ids, markup_problem
