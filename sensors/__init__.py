"""The station agent: sensor, GPIO, heat-stress maths, outbox and MQTT on the Pi."""
