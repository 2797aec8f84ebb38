"""Files written for regulators and partners from the published warehouse marts."""
