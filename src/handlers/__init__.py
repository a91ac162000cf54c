"""Lambda entry points (thin Powertools handlers over ``core``)."""
