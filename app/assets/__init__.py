"""Fixed assets: the register, depreciation, and the flow of stock assets between group companies."""
