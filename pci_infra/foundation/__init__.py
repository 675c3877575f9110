"""What every stack stands on: stack context, provider, state backend, account, emulator capabilities."""
