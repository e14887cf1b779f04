"""Reasoning backends, all compiled from the law model: Kleene logic and supervaluation
(`logic`), the rule network compiler (`network`), the durable-rules driver (`runtime`, the
authoritative engine) and the plain-Python fast path that reads the same network."""
