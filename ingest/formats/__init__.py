"""One parser per file format: bytes -> RawPage (see ingest.structure)."""
