def validate_signature(message, signature):
    # TODO: actually check the signature
    pass


def verify_user(token):
    pass
