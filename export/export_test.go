package export_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"recoup/dunning"
	"recoup/export"
	"recoup/money"
)

func sample() export.Table {
	t := export.Table{Name: "Top overdue", Head: []string{"customer", "rank", "overdue", "days", "since", "note"}}
	t.Add(export.Text("Dupont SA"), export.Int(1), export.Money(123456, money.MustCurrency("EUR")),
		export.Decimal("99.40"), export.Date(dunning.NewDate(2024, 2, 29)), export.Blank())
	t.Add(export.Text("=HYPERLINK(\"http://x\")"), export.Int(2), export.Money(-1500, money.MustCurrency("JPY")),
		export.Decimal(""), export.Date(dunning.Date{}), export.Text("-3"))
	return t
}

func TestCSV(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, export.Write(&b, export.CSV, sample()))
	require.Equal(t, "customer,rank,overdue,days,since,note\n"+
		"Dupont SA,1,1234.56,99.40,2024-02-29,\n"+
		"\"'=HYPERLINK(\"\"http://x\"\")\",2,-1500,,,'-3\n", b.String())

	require.ErrorContains(t, export.Write(&b, export.CSV, sample(), sample()), "one table")
	require.ErrorContains(t, export.Write(&b, "pdf", sample()), `unknown format "pdf"`)
}

func TestXLSXTypedCells(t *testing.T) {
	var b bytes.Buffer
	other := export.Table{Name: "a/b:[c]", Head: []string{"x"}}
	require.NoError(t, export.Write(&b, export.XLSX, sample(), other))

	f, err := excelize.OpenReader(&b)
	require.NoError(t, err)
	defer f.Close()
	require.Equal(t, []string{"Top overdue", "a-b--c-"}, f.GetSheetList())

	raw := func(cell string) string {
		v, err := f.GetCellValue("Top overdue", cell, excelize.Options{RawCellValue: true})
		require.NoError(t, err)
		return v
	}
	shown := func(cell string) string {
		v, err := f.GetCellValue("Top overdue", cell)
		require.NoError(t, err)
		return v
	}
	typ := func(cell string) excelize.CellType {
		ct, err := f.GetCellType("Top overdue", cell)
		require.NoError(t, err)
		return ct
	}
	for _, tc := range []struct {
		cell, raw, shown string
		number           bool
	}{
		{"A1", "customer", "customer", false},
		{"A2", "Dupont SA", "Dupont SA", false},
		{"B2", "1", "1", true},
		{"C2", "1234.56", "1,234.56 EUR", true},
		{"D2", "99.4", "99.4", true},
		{"E2", "45351", "2024-02-29", true}, // Excel's serial day of the leap day
		{"F2", "", "", false},
		{"A3", `=HYPERLINK("http://x")`, `=HYPERLINK("http://x")`, false}, // a string, not a formula
		{"C3", "-1500", "-1,500 JPY", true},
		{"D3", "", "", false},
		{"F3", "-3", "-3", false},
	} {
		t.Run(tc.cell, func(t *testing.T) {
			require.Equal(t, tc.raw, raw(tc.cell))
			require.Equal(t, tc.shown, shown(tc.cell))
			if tc.number {
				require.Contains(t, []excelize.CellType{excelize.CellTypeNumber, excelize.CellTypeUnset}, typ(tc.cell))
			} else if tc.raw != "" {
				require.Contains(t, []excelize.CellType{excelize.CellTypeInlineString, excelize.CellTypeSharedString}, typ(tc.cell))
			}
		})
	}
	formula, err := f.GetCellFormula("Top overdue", "A3")
	require.NoError(t, err)
	require.Empty(t, formula)
}
