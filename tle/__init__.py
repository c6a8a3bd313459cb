"""Element sets shipped with gnss-coverage (installed as ``gnss._tle``); see README.md here."""
