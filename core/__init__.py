"""The shared core both halves of the product stand on: typed settings, the data types, errors and
user messages, the index store (Chroma generations, lexical segments, leases, the fingerprint of
what built it), the embedding model, the content flags of a page, and logging that redacts member
identifiers. ``ingest`` and ``assistant`` depend on this package; it depends on neither."""
