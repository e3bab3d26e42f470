"""Personal data at rest: the master key, the per-person key store and key ring, erasure and key rotation."""
