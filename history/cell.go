package history

// SafeCell is a value as WriteCSV writes it: one a spreadsheet would run as a
// formula gets a leading quote. Other exports of user-typed text use it too.
func SafeCell(v string) string { return cell(v) }
