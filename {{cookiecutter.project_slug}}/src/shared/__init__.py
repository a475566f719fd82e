"""Code shared by your bots; `invoke build` bundles what each bot imports."""
