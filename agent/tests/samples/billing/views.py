def checkout(cart_id):
    total = cart_id * 3  # L:billing
    return total
