"""The station's GPIO parts: status LED, beacon, PIR, service button, the sensor's power switch."""
