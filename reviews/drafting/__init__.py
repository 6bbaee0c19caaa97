"""LLM drafting: structured candidate questions from a provider, with retries and records."""
