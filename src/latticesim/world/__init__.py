"""The packaged facts of the world: actors, memberships, capabilities, positions, traits."""
