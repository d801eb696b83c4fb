"""What the handlers do, as plain async functions over `Services`."""
