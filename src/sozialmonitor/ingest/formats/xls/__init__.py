"""Excel 97–2003 workbooks (.xls, BIFF8), read through xlrd."""
