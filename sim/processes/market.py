"""The social-organisation market (项目化): projects, bids, growth, entry and exit."""
