"""Where a parent is: postcodes, towns, districts, distances, the association's places nearby."""
