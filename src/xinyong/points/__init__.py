"""Village credit points (村民积分制 / 道德银行): household ledgers, monthly review and
publication, and the village points store."""
