"""Files shipped as they are into user pods (read by the constructs, never imported by them)."""
