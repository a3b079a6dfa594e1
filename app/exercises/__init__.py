"""The nine exercises of chapter 4, one module each; `registry.EXERCISES` lists them."""
