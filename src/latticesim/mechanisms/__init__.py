"""The model's submodels as small pure functions, one module per ODD submodel."""
