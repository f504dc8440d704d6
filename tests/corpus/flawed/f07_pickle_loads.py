import pickle


def decode_message(payload: bytes):
    """Decode a message received from the network."""
    return pickle.loads(payload)
