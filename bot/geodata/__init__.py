"""Place data adapters: the GeoNames postcodes shipped in a package."""
