"""Official statistics exports (GENESIS, Regionalstatistik) imported as downloaded."""
