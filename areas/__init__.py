"""Administrative areas of Indonesia (province, regency, kecamatan, village) and their import."""
