"""The only code that knows Redis key names and encodes or decodes stored bytes."""
