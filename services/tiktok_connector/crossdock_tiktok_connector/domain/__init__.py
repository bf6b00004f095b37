"""Pure TikTok Shop rules: signing, order and product mapping, settings checks. No I/O."""
