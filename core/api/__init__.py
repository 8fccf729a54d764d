"""What every API app shares. Split in modules DRF loads at different times (settings point
at them), so that none imports the generic views while DRF is still defining them.

- ``errors``: the exception handler and the one-transaction-per-write mixin;
- ``lists``: pagination and ordering;
- ``schema``: the OpenAPI schema class documenting the error answers.
"""
