"""Chunked, resumable uploads from the browser, written straight to the media storage."""
