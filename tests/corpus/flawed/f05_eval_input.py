def calculator():
    """A tiny calculator."""
    expression = input("> ")
    print(eval(expression))
