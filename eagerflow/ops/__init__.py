"""The op library, one module per family; public names are re-exported by eagerflow/__init__.py."""
