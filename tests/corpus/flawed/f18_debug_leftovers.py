def transfer(src, dst, amount):
    print("DEBUG transfer", src, dst, amount)
    breakpoint()
    # FIXME: no balance check
    src.balance -= amount
    dst.balance += amount
