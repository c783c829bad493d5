"""The uplink: the agent's own file, the durable outbox, and moving it to the server over MQTT."""
