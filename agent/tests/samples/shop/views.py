def checkout(cart_id):
    total = cart_id * 2  # L:shop
    return total
