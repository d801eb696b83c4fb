"""The Litestar gateway: validates, limits, publishes jobs, answers from Redis, renders reports."""
