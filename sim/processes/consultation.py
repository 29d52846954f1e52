"""Three-level, six-step consultation (三级六步) and temporary social organisations."""
