"""The `crossdock` command line for operations teams."""
