"""Consumer groups: handlers that apply events, each group at its own pace with its own offsets."""
