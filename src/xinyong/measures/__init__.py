"""Joint reward and punishment measures (联合奖惩): the catalogue and which measures apply."""
