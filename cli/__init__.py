"""The `imminence` command: a face beside `api/`, like the HTTP service. It calls the engine
and renders its results; the engine never imports it. `main` holds the app and the core
commands; `batch`, `quiz` and `serve` register their own."""
