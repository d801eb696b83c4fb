"""Dramatiq workers and the scan/ingest pipeline they run."""
