def later(x):
    value = x + 5  # L:late
    return value
