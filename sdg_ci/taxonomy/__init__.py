"""The taxonomy as data: leaves, their YAML with marks, git changes and documents."""
