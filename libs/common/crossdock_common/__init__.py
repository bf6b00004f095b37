"""Code shared by every crossdock service: events, bus, database, settings, logging, HTTP."""
