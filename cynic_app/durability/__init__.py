"""Durability: the write-ahead journal, atomic file replacement, guidance, checkpoint, replay."""
