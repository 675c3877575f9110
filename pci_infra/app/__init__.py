"""The application layer: settings (validated), the name catalogue and naming rules, synthesis."""
