"""One router per file. `api.main.ROUTERS` lists them in the order they are included."""
