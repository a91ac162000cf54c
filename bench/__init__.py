"""``make bench``: extraction quality and speed, cold start, memory, cost and throughput."""
