package sqlite

// SetCommonShare changes the share of orders (1/n) a search must hit to be read
// row by row, and returns a func that restores it.
func SetCommonShare(n int) (restore func()) {
	old := commonShare
	commonShare = n
	return func() { commonShare = old }
}
