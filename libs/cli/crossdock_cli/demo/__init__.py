"""`crossdock demo`, the program behind `make run`: the whole hub on the sandboxes, set up as a user would.

The steps are split by job: `command` starts the processes under honcho,
`setup` configures integrations through the services' public HTTP APIs,
`traffic` seeds the sandboxes and keeps orders coming, and `summary` prints
what the hub did.
"""
