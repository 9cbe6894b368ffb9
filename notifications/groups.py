"""Channel-layer group names, always derived from ids, never from client input."""


def user_group(user_id):
    """The group every open connection of one user joins."""
    return f"user-{int(user_id)}"
